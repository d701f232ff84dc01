using System.Security.Cryptography;
using BizKeys.Core.ApiKeys;

namespace BizKeys.Tests.Support;

/// <summary>Credentials an attacker would make up: the right shape, never issued by this installation.</summary>
public static class MadeUp
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A well-formed key identifier with a random tag (it passes the tag with odds of 1 in 5.7e10).</summary>
    public static string Key() => KeyFormat.KeyPrefix + RandomNumberGenerator.GetString(Base62, KeyFormat.KeyRandomLength);

    /// <summary>Key identifiers issued under a tag key of their own, as another installation would issue them.</summary>
    public static KeyIdentifiers Identifiers()
    {
        var identifiers = new KeyIdentifiers();
        identifiers.Load(RandomNumberGenerator.GetBytes(32), []);
        return identifiers;
    }
}
