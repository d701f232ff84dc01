using System.Net;

namespace BizKeys.Core.ApiKeys;

/// <summary>Parses allowlist text: IPv4/IPv6 addresses or CIDR ranges.</summary>
public static class IpRanges
{
    private static readonly char[] Separators = [',', ';', ' ', '\n', '\r', '\t'];

    public static string[] Split(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(Separators, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// An address or CIDR range, written out in full: IPv4 as four dotted numbers (no "127.1" or hex shorthand),
    /// and an IPv4-mapped IPv6 entry (<c>::ffff:203.0.113.7</c>) taken as the IPv4 address it stands for, which is
    /// how the verifier compares it.
    /// </summary>
    public static bool TryParse(string entry, out IPNetwork network)
    {
        network = default;
        var slash = entry.IndexOf('/');
        var addressText = slash < 0 ? entry : entry[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
            return false;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && (addressText.Split('.').Length != 4 || addressText.Split('.').Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit))))
            return false;
        var maxPrefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(entry[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix))
            return false;
        if (address.IsIPv4MappedToIPv6)
        {
            if (prefix < 96)
                return false;
            address = address.MapToIPv4();
            prefix -= 96;
        }
        if (slash >= 0)
            return IPNetwork.TryParse($"{address}/{prefix}", out network);
        network = new IPNetwork(address, prefix);
        return true;
    }

    /// <summary>Canonical CIDR strings, duplicates removed; entries that do not parse are dropped (validate first).</summary>
    public static IReadOnlyList<string> Normalize(string? text) =>
        [.. Split(text).Select(e => TryParse(e, out var n) ? n.ToString() : null).OfType<string>().Distinct()];
}
