using Microsoft.AspNetCore.DataProtection;

namespace BizKeys.Core.Notifications;

/// <summary>
/// The "stop these emails" link of each notification mail: a token, signed by data protection, naming the account and
/// the address, that works without signing in — so someone an owner listed (a team alias, a person outside BizKeys)
/// can take their address off, and a mail program can do it in one click. It can do nothing else.
/// </summary>
public sealed class EmailUnsubscribe(IDataProtectionProvider protection)
{
    public const string Purpose = "BizKeys.Mail.Unsubscribe";
    public const string Path = "/notifications/unsubscribe";
    /// <summary>Where a mail program's one-click unsubscribe posts (RFC 8058): no form, no sign-in.</summary>
    public const string OneClickPath = "/notifications/unsubscribe/one-click";

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    public string Token(Guid accountId, string address) => Protector.Protect($"{accountId:N}\n{address}");

    public bool TryRead(string? token, out Guid accountId, out string address)
    {
        (accountId, address) = (Guid.Empty, "");
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
            return false;
        try
        {
            var parts = Protector.Unprotect(token).Split('\n', 2);
            return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out accountId) && (address = parts[1]).Length > 0;
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException)
        {
            return false;
        }
    }
}
