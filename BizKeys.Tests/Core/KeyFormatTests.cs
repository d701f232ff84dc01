using System.Text.RegularExpressions;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Core;

public class KeyFormatTests
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    [Fact]
    public void Generated_keys_and_secrets_match_the_published_formats()
    {
        var identifiers = MadeUp.Identifiers();
        for (var i = 0; i < 1000; i++)
        {
            var key = identifiers.New();
            var secret = KeyFormat.NewSecret();
            Assert.Matches(new Regex("^bk_[0-9A-Za-z]{24}$"), key);
            Assert.Matches(new Regex("^bks_[0-9A-Za-z]{46}$"), secret);
            Assert.True(KeyFormat.IsWellFormedKey(key));
            Assert.True(KeyFormat.IsWellFormedSecret(secret));
        }
    }

    [Fact]
    public void Changing_any_one_character_of_a_secret_fails_its_checksum()
    {
        var secret = KeyFormat.NewSecret();
        for (var position = KeyFormat.SecretPrefix.Length; position < secret.Length; position++)
        {
            foreach (var replacement in Base62)
            {
                if (replacement == secret[position])
                    continue;
                var typo = string.Concat(secret.AsSpan(0, position), replacement.ToString(), secret.AsSpan(position + 1));
                Assert.False(KeyFormat.IsWellFormedSecret(typo), $"'{replacement}' at {position} passed the checksum");
            }
        }
    }

    [Fact]
    public void The_checksum_is_the_crc32_of_the_random_part_in_base62()
    {
        // CRC32("123456789") = 0xCBF43926 = 3421780262, which is "3jZRME" in six base62 digits.
        Assert.Equal("3jZRME", KeyFormat.Checksum("123456789"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bks_")]
    [InlineData("bk_abcdefghijklmnopqrstuvwx")]
    [InlineData("bks_0000000000000000000000000000000000000000000000000")]
    [InlineData("BKS_000000000000000000000000000000000000000000000000")]
    [InlineData("bks_00000000000000000000000000000000000000000000-0")]
    [InlineData("bks_0000000000000000000000000000000000000000000ä00")]
    public void Malformed_secrets_are_refused(string text) => Assert.False(KeyFormat.IsWellFormedSecret(text));

    [Theory]
    [InlineData("")]
    [InlineData("bk_")]
    [InlineData("bk_abcdefghijklmnopqrstuvw")]
    [InlineData("bk_abcdefghijklmnopqrstuvwxy")]
    [InlineData("bk-abcdefghijklmnopqrstuvwx")]
    [InlineData("bk_abcdefghijklmnopqrstuv!x")]
    public void Malformed_keys_are_refused(string text) => Assert.False(KeyFormat.IsWellFormedKey(text));

    /// <summary>
    /// Every base62 character is as likely as any other in a secret's random part: a generator that mapped bytes to
    /// characters by remainder would make the first eight about 25 % more common, and guessing easier.
    /// </summary>
    [Fact]
    public void Secret_characters_are_spread_evenly_over_the_alphabet()
    {
        const int secrets = 20_000;
        var counts = new Dictionary<char, int>();
        for (var i = 0; i < secrets; i++)
            foreach (var c in KeyFormat.NewSecret().AsSpan(KeyFormat.SecretPrefix.Length, KeyFormat.SecretRandomLength))
                counts[c] = counts.GetValueOrDefault(c) + 1;

        var expected = secrets * KeyFormat.SecretRandomLength / 62.0; // about 12,900 each; one standard deviation is about 112
        Assert.Equal(62, counts.Count);
        Assert.All(counts, c => Assert.InRange(c.Value, expected * 0.95, expected * 1.05));
    }

    [Fact]
    public void Every_base62_character_shows_up_in_generated_secrets()
    {
        // Guards against a biased or truncated alphabet.
        var seen = new HashSet<char>();
        for (var i = 0; i < 200; i++)
            seen.UnionWith(KeyFormat.NewSecret()[4..44]);
        Assert.Equal(62, seen.Count);
    }

    [Fact]
    public void Digests_compare_equal_only_for_the_same_secret()
    {
        var secret = KeyFormat.NewSecret();
        Assert.True(KeyFormat.DigestMatches(KeyFormat.Digest(secret), KeyFormat.Digest(secret)));
        Assert.False(KeyFormat.DigestMatches(KeyFormat.Digest(secret), KeyFormat.Digest(KeyFormat.NewSecret())));
        Assert.False(KeyFormat.DigestMatches(KeyFormat.Digest(secret), []));
        Assert.Equal(secret[^4..], KeyFormat.Hint(secret));
    }
}
