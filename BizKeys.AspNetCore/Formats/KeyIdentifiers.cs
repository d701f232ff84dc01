using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// Key identifiers that vouch for themselves: <c>bk_</c> + 18 random base62 characters + a 6-character tag, an
/// HMAC-SHA256 of the rest under this installation's tag key (kept in the database, shared by every instance and
/// command). A made-up identifier fails the tag in memory and costs no database query, at any number of keys and
/// with no per-key memory (docs/decisions/005). Identifiers issued before tags existed are remembered by value.
/// </summary>
public sealed class KeyIdentifiers
{
    public const int RandomLength = 18;
    public const int TagLength = KeyFormat.KeyRandomLength - RandomLength;
    private const ulong TagSpace = 56_800_235_584UL; // 62^6

    [ThreadStatic]
    private static HMACSHA256? t_mac; // one per thread: building an HMAC per check would cost several times the check
    [ThreadStatic]
    private static byte[]? t_macKey;

    private byte[]? _tagKey;
    private FrozenSet<string> _untagged = FrozenSet<string>.Empty;

    private bool _shapeOnly;

    public bool IsLoaded => _tagKey is not null || _shapeOnly;

    /// <summary>
    /// For a service in Remote mode, which never holds the installation's tag key: any well-formed identifier may
    /// exist (BizKeys answers for it, and an unknown one is remembered briefly).
    /// </summary>
    public void AcceptAnyWellFormed() => _shapeOnly = true;
    /// <summary>How many identifiers from before tags are held in memory.</summary>
    public int UntaggedCount => _untagged.Count;

    /// <summary>Called once at start-up, after the database is migrated.</summary>
    public void Load(byte[] tagKey, IEnumerable<string> untagged)
    {
        _untagged = untagged.ToFrozenSet(StringComparer.Ordinal);
        _tagKey = tagKey;
    }

    public string New()
    {
        var body = KeyFormat.KeyPrefix + RandomNumberGenerator.GetString(KeyFormat.Base62, RandomLength);
        Span<char> tag = stackalloc char[TagLength];
        WriteTag(body, tag);
        return body + new string(tag);
    }

    /// <summary>Shape and tag, in memory: false means no key with this identifier can exist.</summary>
    public bool CanExist(string key)
    {
        if (!KeyFormat.IsWellFormedKey(key))
            return false;
        if (_shapeOnly && _tagKey is null)
            return true;
        Span<char> tag = stackalloc char[TagLength];
        WriteTag(key.AsSpan(0, KeyFormat.KeyLength - TagLength), tag);
        return key.AsSpan(KeyFormat.KeyLength - TagLength).SequenceEqual(tag) || _untagged.Contains(key);
    }

    private void WriteTag(ReadOnlySpan<char> body, Span<char> destination)
    {
        var tagKey = _tagKey ?? throw new InvalidOperationException("Key identifiers are not loaded: run DatabaseInitializer.InitializeAsync first.");
        Span<byte> ascii = stackalloc byte[KeyFormat.KeyLength];
        var length = Encoding.ASCII.GetBytes(body, ascii);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (t_mac is null || !ReferenceEquals(t_macKey, tagKey))
        {
            t_mac?.Dispose();
            t_mac = new HMACSHA256(tagKey);
            t_macKey = tagKey;
        }
        t_mac.TryComputeHash(ascii[..length], mac, out _);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(mac) % TagSpace;
        for (var i = TagLength - 1; i >= 0; i--)
        {
            destination[i] = KeyFormat.Base62[(int)(value % 62)];
            value /= 62;
        }
    }
}
