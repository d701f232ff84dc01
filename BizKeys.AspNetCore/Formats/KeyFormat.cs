using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// The wire formats of API keys and secrets. A key is a public identifier (<c>bk_</c> + 24 base62, issued by
/// <see cref="KeyIdentifiers"/>).
/// A secret is <c>bks_</c> + 40 random base62 + 6 base62 characters holding the CRC32 of the 40,
/// so a mistyped or forged secret is refused before anything touches the database.
/// </summary>
public static class KeyFormat
{
    public const string KeyPrefix = "bk_";
    public const string SecretPrefix = "bks_";
    public const int KeyRandomLength = 24;
    public const int SecretRandomLength = 40;
    public const int ChecksumLength = 6;
    public const int KeyLength = 3 + KeyRandomLength;
    public const int SecretLength = 4 + SecretRandomLength + ChecksumLength;
    public const int HintLength = 4;
    public const int DigestLength = 32;

    public const string KeyPattern = "^bk_[0-9A-Za-z]{24}$";
    public const string SecretPattern = "^bks_[0-9A-Za-z]{46}$";

    internal const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string NewSecret()
    {
        var body = RandomNumberGenerator.GetString(Base62, SecretRandomLength);
        return SecretPrefix + body + Checksum(body);
    }

    public static bool IsWellFormedKey(ReadOnlySpan<char> key) =>
        key.Length == KeyLength && key.StartsWith(KeyPrefix, StringComparison.Ordinal) && IsBase62(key[KeyPrefix.Length..]);

    /// <summary>Shape and checksum only: no database, no secret material compared.</summary>
    public static bool IsWellFormedSecret(ReadOnlySpan<char> secret)
    {
        if (secret.Length != SecretLength || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            return false;
        var rest = secret[SecretPrefix.Length..];
        if (!IsBase62(rest))
            return false;
        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(rest[..SecretRandomLength], expected);
        return rest[SecretRandomLength..].SequenceEqual(expected);
    }

    public static byte[] Digest(string secret)
    {
        var digest = new byte[DigestLength];
        Digest(secret, digest);
        return digest;
    }

    /// <summary>The digest without allocating: for the verification hot path.</summary>
    public static void Digest(ReadOnlySpan<char> secret, Span<byte> destination)
    {
        if (secret.Length > SecretLength)
        {
            SHA256.HashData(Encoding.ASCII.GetBytes(secret.ToString()), destination);
            return;
        }
        Span<byte> ascii = stackalloc byte[SecretLength];
        var length = Encoding.ASCII.GetBytes(secret, ascii);
        SHA256.HashData(ascii[..length], destination);
    }

    public static bool DigestMatches(ReadOnlySpan<byte> presented, ReadOnlySpan<byte> stored) =>
        stored.Length == DigestLength && CryptographicOperations.FixedTimeEquals(presented, stored);

    public static string Hint(string secret) => secret[^HintLength..];

    internal static string Checksum(ReadOnlySpan<char> body)
    {
        Span<char> chars = stackalloc char[ChecksumLength];
        WriteChecksum(body, chars);
        return new string(chars);
    }

    private static void WriteChecksum(ReadOnlySpan<char> body, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[body.Length];
        for (var i = 0; i < body.Length; i++)
            ascii[i] = (byte)body[i];
        var crc = (ulong)Crc32.HashToUInt32(ascii);
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            destination[i] = Base62[(int)(crc % 62)];
            crc /= 62;
        }
    }

    private static bool IsBase62(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
                return false;
        }
        return true;
    }
}
