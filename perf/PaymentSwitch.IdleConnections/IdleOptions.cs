using System.Net;
using PaymentSwitch.PerfTools;

namespace PaymentSwitch.IdleConnections;

/// <summary>The idle-connection tool's command line (<c>--name value</c>).</summary>
internal sealed class IdleOptions
{
    public const string Usage = """
        PaymentSwitch.IdleConnections - open N TCP connections that send nothing and hold them.

        Usage:
          PaymentSwitch.IdleConnections --target HOST:PORT [options]

          --target HOST:PORT     listener to connect to, loopback only (required)
          --connections N        connections to open (default 10000)
          --per-source N         connections per source address 127.0.0.K before moving to K+1 (default 1000)
          --parallel N           connects in progress at once (default 256)
          --connect-timeout-ms N give up on one connect after this long (default 5000)
          --hold-seconds S       hold this long after opening, then report and exit (default 600; SIGTERM ends early)
          -h, --help             this text
        """;

    public bool HelpRequested { get; private set; }

    public IPEndPoint Target { get; private set; } = new(IPAddress.Loopback, 5000);

    public int Connections { get; private set; } = 10_000;

    public int PerSource { get; private set; } = 1000;

    public int Parallel { get; private set; } = 256;

    public int ConnectTimeoutMs { get; private set; } = 5000;

    public TimeSpan Hold { get; private set; } = TimeSpan.FromSeconds(600);

    public static IdleOptions Parse(string[] args)
    {
        var options = new IdleOptions();
        bool targetGiven = false;
        options.HelpRequested = !ToolArguments.ForEachPair(args, (name, value) =>
        {
            switch (name)
            {
                case "--target":
                    if (!IPEndPoint.TryParse(value, out IPEndPoint? target) || target.Port == 0)
                        throw new ArgumentException($"--target must be an IP address and port such as 127.0.0.1:5000, not '{value}'.");
                    if (!IPAddress.IsLoopback(target.Address) || target.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                        throw new ArgumentException($"--target must be an IPv4 loopback address (127.x.x.x), not '{value}'.");
                    options.Target = target;
                    targetGiven = true;
                    break;
                case "--connections": options.Connections = ToolArguments.WholeNumber(name, value, 1, 1_000_000); break;
                case "--per-source": options.PerSource = ToolArguments.WholeNumber(name, value, 1, 60_000); break;
                case "--parallel": options.Parallel = ToolArguments.WholeNumber(name, value, 1, 10_000); break;
                case "--connect-timeout-ms": options.ConnectTimeoutMs = ToolArguments.WholeNumber(name, value, 1, 600_000); break;
                case "--hold-seconds": options.Hold = TimeSpan.FromSeconds(ToolArguments.WholeNumber(name, value, 0, 86_400)); break;
                default: throw new ArgumentException($"unknown option '{name}'.");
            }
        });
        if (options.HelpRequested) return options;
        if (!targetGiven) throw new ArgumentException("--target is required.");
        if ((options.Connections + options.PerSource - 1) / options.PerSource > 250)
            throw new ArgumentException("--connections / --per-source needs more than 250 source addresses (127.0.0.1-250); raise --per-source.");
        return options;
    }
}
