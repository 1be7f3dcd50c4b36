using System.Net.Sockets;

namespace PaymentSwitch.Core.Networking;

/// <summary>Closing a socket the same way everywhere: shut both directions (ignoring a peer already gone), then dispose.</summary>
internal static class SocketClosing
{
    public static void ShutdownAndDispose(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // already gone
        }
        socket.Dispose();
    }
}
