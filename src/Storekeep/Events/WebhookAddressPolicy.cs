using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Storekeep.Shared;

namespace Storekeep.Events;

/// <summary>
/// Where a webhook may be sent. A manager registers the URL, the server makes the request: without
/// this, anyone with webhooks.manage could make the server POST to its own loopback, the private
/// network behind it, or the cloud metadata service (169.254.169.254). The check runs at
/// registration and again on every connection (<see cref="ConnectAsync"/>), because the name may
/// resolve elsewhere by the time a delivery is sent. <c>Webhooks:AllowPrivateNetworks=true</c>
/// turns it off, for tests and for a receiver inside the owner's own network.
/// </summary>
public sealed class WebhookAddressPolicy(WebhookSettings settings)
{
    public const string NotAllowedCode = "webhook_url_not_allowed";

    private static readonly byte[] Nat64Prefix = [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];

    public bool AllowPrivateNetworks => settings.AllowPrivateNetworks;

    /// <summary>
    /// True for an address on the public internet; false for loopback, private (RFC 1918, fc00::/7),
    /// link-local (169.254/16, fe80::/10), CGNAT (100.64/10), multicast, broadcast, reserved and
    /// unspecified addresses. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as the IPv4 address they carry.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            address.TryWriteBytes(b, out _);
            return !(b[0] == 0                                   // 0.0.0.0/8 "this network"
                || b[0] == 127                                   // loopback
                || b[0] == 10                                    // RFC 1918
                || (b[0] == 172 && (b[1] & 0xF0) == 16)          // RFC 1918 172.16/12
                || (b[0] == 192 && b[1] == 168)                  // RFC 1918
                || (b[0] == 169 && b[1] == 254)                  // link-local, cloud metadata
                || (b[0] == 100 && (b[1] & 0xC0) == 64)          // CGNAT 100.64/10
                || (b[0] & 0xF0) == 224                          // multicast 224/4
                || (b[0] & 0xF0) == 240);                        // reserved 240/4, incl. broadcast 255.255.255.255
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> b = stackalloc byte[16];
            address.TryWriteBytes(b, out _);
            if (b[..12].SequenceEqual(Nat64Prefix))
            {
                return IsPublic(new IPAddress(b[12..]));         // NAT64 64:ff9b::/96 carries an IPv4 address
            }

            return !(b[..12].IndexOfAnyExcept((byte)0) < 0       // ::/96: unspecified ::, loopback ::1, IPv4-compatible
                || (b[0] & 0xFE) == 0xFC                         // unique local fc00::/7
                || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)       // link-local fe80::/10
                || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)       // old site-local fec0::/10
                || b[0] == 0xFF);                                // multicast ff00::/8
        }

        return false;
    }

    /// <summary>
    /// At registration: the URL's host, a literal address or a name resolved now, must be public.
    /// A name that does not resolve is refused too: it cannot be judged.
    /// </summary>
    public async Task EnsureAllowedAsync(Uri url, CancellationToken ct)
    {
        if (AllowPrivateNetworks)
        {
            return;
        }

        var host = url.IdnHost;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, ct);
            }
            catch (SocketException)
            {
                addresses = [];
            }

            if (addresses.Length == 0)
            {
                throw Errors.Unprocessable(NotAllowedCode, $"The webhook host '{host}' does not resolve to any address, so it cannot be checked; use a host name that resolves to a public address.");
            }
        }

        if (addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
        {
            throw Errors.Unprocessable(NotAllowedCode, $"Webhooks may only be sent to public internet addresses; '{host}' is or resolves to {refused}, a loopback, private, link-local or otherwise internal address.");
        }
    }

    /// <summary>
    /// The webhook HTTP client's connect step: resolves the host itself and connects only to a public
    /// address, so a name that now points inside the network is never reached. A refusal fails the
    /// delivery with this message as its last error, and it is retried like any other failure.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = AllowPrivateNetworks ? addresses : addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError,
                $"Not sent: webhook host '{host}' resolves only to internal addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}), which webhooks may not reach ({NotAllowedCode}).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
