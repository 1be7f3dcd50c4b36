namespace PaymentSwitch.Core.Configuration;

/// <summary>One listener for POS terminals and acquirer hosts.</summary>
public sealed class AcquirerOptions
{
    /// <summary>Name used in logs and on the status page.</summary>
    public string Name { get; set; } = "pos";

    /// <summary>Address and port to listen on, e.g. <c>127.0.0.1:5000</c>.</summary>
    public string Listen { get; set; } = "127.0.0.1:5000";

    public string Dialect { get; set; } = "iso87-ascii";

    /// <summary><c>len2</c> or <c>len4-ascii</c>.</summary>
    public string Framing { get; set; } = "len2";

    /// <summary>A 5-byte TPDU follows the length header.</summary>
    public bool Tpdu { get; set; }

    /// <summary>Largest frame accepted; a larger one closes the connection (logged).</summary>
    public int MaxFrameBytes { get; set; } = 8192;

    /// <summary>Listen backlog.</summary>
    public int Backlog { get; set; } = 1024;

    /// <summary>Connections accepted on this listener at once; past it new ones are closed at once (logged).</summary>
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Requests in flight on one connection; past it a request is answered DE39 = 91 at once.</summary>
    public int MaxInFlightPerConnection { get; set; } = 4096;

    /// <summary>Received bytes buffered per connection before reading pauses (backpressure on the peer).</summary>
    public int ReceivePauseBytes { get; set; } = 256 * 1024;

    /// <summary>Replies buffered per connection for a peer that does not read them; past it the connection is closed (logged).</summary>
    public int MaxWriteBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>Connections from one source address at once; past it new ones from that address are closed at once (logged).</summary>
    public int MaxConnectionsPerSource { get; set; } = 2000;

    /// <summary>A connection that sends nothing for this long is closed (logged). 0 disables.</summary>
    public int IdleTimeoutMs { get; set; } = 300_000;

    /// <summary>A frame that has started must be complete within this long (slow senders); otherwise the connection is closed.</summary>
    public int FrameTimeoutMs { get; set; } = 10_000;

    /// <summary>TLS for this listener (off unless a certificate is configured).</summary>
    public TlsOptions Tls { get; set; } = new();
}
