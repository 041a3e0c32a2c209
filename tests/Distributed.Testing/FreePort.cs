using System.Net;
using System.Net.Sockets;

namespace Distributed.Testing;

/// <summary>A loopback TCP port nobody listens on right now, for a server the test starts next.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
