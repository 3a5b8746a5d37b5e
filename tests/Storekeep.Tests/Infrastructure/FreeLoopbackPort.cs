using System.Net;
using System.Net.Sockets;

namespace Storekeep.Tests.Infrastructure;

/// <summary>A 127.0.0.1 port nobody listens on right now (the OS picks it), for a server the test starts.</summary>
public static class FreeLoopbackPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
