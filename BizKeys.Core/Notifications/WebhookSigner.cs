using System.Security.Cryptography;
using System.Text;

namespace BizKeys.Core.Notifications;

/// <summary>
/// Signs webhooks as the Standard Webhooks specification says: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of
/// "id.timestamp.body"&gt;</c>, keyed with the base64 part of a <c>whsec_…</c> secret.
/// </summary>
public static class WebhookSigner
{
    public const string SecretPrefix = "whsec_";
    private const int SecretBytes = 32;

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Sign(string secret, string id, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }
}
