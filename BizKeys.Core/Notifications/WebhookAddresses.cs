using System.Net;
using System.Net.Sockets;

namespace BizKeys.Core.Notifications;

/// <summary>
/// Which addresses a webhook may reach: public ones only, unless <c>BizKeys:Webhooks:AllowPrivateNetworks</c>.
/// Checked when an endpoint is saved and again on the address each delivery actually connects to, so a name that
/// later resolves to an inside address (DNS rebinding) cannot reach the network BizKeys runs in.
/// </summary>
public static class WebhookAddresses
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return false;
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !(b[0] == 10 || b[0] == 0 || b[0] >= 224 // private, "this network", multicast and reserved
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) // link-local (cloud metadata services live here)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
                || (b[0] == 192 && b[1] == 0 && b[2] == 0) || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }
        // IPv6: global unicast (2000::/3) only — which leaves out loopback, link-local, unique local, multicast, and the
        // forms that carry an IPv4 address a gateway would reach (NAT64 64:ff9b::/96, IPv4-compatible ::/96) — minus
        // 6to4 (2002::/16), Teredo (2001::/32) and documentation (2001:db8::/32).
        return (b[0] & 0xE0) == 0x20
            && !(b[0] == 0x20 && b[1] == 0x02)
            && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
            && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
    }

    /// <summary>A socket to the first public address of the request's host (or any, when private networks are allowed).</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = addresses.Where(a => allowPrivate || IsPublic(a)).ToList();
        if (usable.Count == 0)
            throw new WebhookAddressRefusedException(host);
        SocketException? last = null;
        foreach (var address in usable) // each allowed address in turn: an IPv6 one first on a host without IPv6 routes
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}

public sealed class WebhookAddressRefusedException(string host)
    : Exception($"{host} resolves only to private, loopback or link-local addresses, which webhooks may not reach.");
