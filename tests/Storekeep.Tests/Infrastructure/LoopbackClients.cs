using System.Net;
using System.Net.Sockets;

namespace Storekeep.Tests.Infrastructure;

/// <summary>
/// Clients that reach a Kestrel-hosted <see cref="TestStore"/> from distinct addresses: Linux routes
/// all of 127.0.0.0/8 to the loopback interface, so binding the local end of the socket to
/// 127.0.0.2, 127.0.0.3 … makes the server see separate shoppers without any forwarded header.
/// </summary>
public static class LoopbackClients
{
    /// <param name="store">A store started with <c>kestrel: true</c>.</param>
    /// <param name="localAddress">The address the server sees, e.g. "127.0.0.2".</param>
    public static HttpClient ClientFrom(this TestStore store, string localAddress)
    {
        using var probe = store.CreateClient();
        var server = probe.BaseAddress ?? throw new InvalidOperationException("The store has no base address; start it with kestrel: true.");
        var local = IPAddress.Parse(localAddress);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server };
    }
}
