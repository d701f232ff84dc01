using System.Net;

namespace BizKeys.Core.ApiKeys;

/// <summary>Parses allowlist text: IPv4/IPv6 addresses or CIDR ranges.</summary>
public static class IpRanges
{
    private static readonly char[] Separators = [',', ';', ' ', '\n', '\r', '\t'];

    public static string[] Split(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(Separators, StringSplitOptions.RemoveEmptyEntries);

    public static bool TryParse(string entry, out IPNetwork network)
    {
        if (IPNetwork.TryParse(entry, out network))
            return true;
        if (!entry.Contains('/') && IPAddress.TryParse(entry, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        return false;
    }

    /// <summary>Canonical CIDR strings, duplicates removed; entries that do not parse are dropped (validate first).</summary>
    public static IReadOnlyList<string> Normalize(string? text) =>
        [.. Split(text).Select(e => TryParse(e, out var n) ? n.ToString() : null).OfType<string>().Distinct()];
}
