using System.Globalization;
using System.Text.Json;
using BizKeys.Core.Mail;

namespace BizKeys.Core.Notifications;

/// <summary>The email of each event: what happened to which key, what to do about it, a link to the key's page, and a way to stop these emails.</summary>
public static class KeyEventMails
{
    /// <param name="stopUrl">The recipient's own link to stop all of the account's notification mails (no sign-in needed).</param>
    public static MailContent Compose(OutboxMessage message, string accountName, MailLinks links, string stopUrl)
    {
        using var payload = JsonDocument.Parse(message.Payload);
        var data = payload.RootElement.GetProperty("data");
        string Str(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        string When(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTime(out var at)
            ? Format(at) : "";
        long Num(string name) => data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;

        var (key, name, environment) = (Str("key"), Str("name"), Str("environment"));
        var which = $"the API key “{name}” ({key}, {environment}) of {accountName}";
        MailBuilder mail;
        switch (message.Type)
        {
            case NotificationEvents.KeyRotated:
                mail = new MailBuilder($"Key “{name}” was rotated").Paragraph($"{Str("rotatedBy")} rotated the secret of {which}.")
                    .Paragraph(When("previousSecretExpiresAt") is { Length: > 0 } until
                        ? $"The previous secret keeps working until {until}: move every integration to the new secret before then."
                        : "The previous secret stopped working at once.");
                break;
            case NotificationEvents.KeyRevoked:
                mail = new MailBuilder($"Key “{name}” was revoked").Paragraph($"{Str("revokedBy")} revoked {which}.")
                    .Paragraph("Requests made with it are refused from now on. If an integration still needs access, give it a new key.");
                break;
            case NotificationEvents.KeyLeaked:
                mail = new MailBuilder($"Key “{name}” was revoked: its secret was reported as leaked")
                    .Paragraph($"Someone reported the secret of {which} as published where others can read it, and BizKeys revoked the key at once.")
                    .Paragraph("Create a new key for the integrations that used it, and remove the old secret from wherever it was found.");
                break;
            case NotificationEvents.KeyExpiring:
                var days = Num("daysLeft");
                mail = new MailBuilder($"Key “{name}” expires in {days} {(days == 1 ? "day" : "days")}")
                    .Paragraph($"{Capital(which)} expires on {When("expiresAt")}.")
                    .Paragraph("Extend its expiry, or create a replacement and deploy it before then: requests with an expired key are refused.");
                break;
            case NotificationEvents.KeyExpired:
                mail = new MailBuilder($"Key “{name}” has expired")
                    .Paragraph($"{Capital(which)} expired on {When("expiresAt")}; requests made with it are refused.")
                    .Paragraph("If an integration still needs access, give it a new key or extend this one's expiry.");
                break;
            case NotificationEvents.KeyFailureSpike:
                mail = new MailBuilder($"Key “{name}”: {Num("failed"):N0} failed requests in an hour")
                    .Paragraph($"In the hour from {When("hourStart")}, {Num("failed"):N0} requests with {which} failed and {Num("succeeded"):N0} succeeded.")
                    .Paragraph("An integration may be using a wrong or old secret, calling from an address the key does not allow, or asking for a permission it lacks. The key's page lists the reasons.");
                break;
            case NotificationEvents.KeyUnused:
                var count = Num("count");
                var listed = data.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array
                    ? keys.EnumerateArray().Select(k => $"{k.GetProperty("name").GetString()} ({k.GetProperty("key").GetString()}) — " +
                        (k.TryGetProperty("lastUsedAt", out var used) && used.ValueKind == JsonValueKind.String ? $"last used {Format(used.GetDateTime())}" : "never used"))
                        .ToList()
                    : [];
                mail = new MailBuilder($"{count:N0} API {(count == 1 ? "key" : "keys")} of {accountName} unused for {NotificationEvents.UnusedDays} days")
                    .Paragraph($"Nothing has used these keys of {accountName} for {NotificationEvents.UnusedDays} days. A key nobody uses is a secret that can only leak: revoke the ones no integration needs.")
                    .List(listed);
                if (count > listed.Count)
                    mail.Paragraph($"… and {count - listed.Count:N0} more.");
                return Finish(mail.Link("Review your keys", links.To("/settings/api-keys")), accountName, message, links, stopUrl);
            default:
                mail = new MailBuilder($"BizKeys: {message.Type}").Paragraph($"{message.Type} for {which}.");
                break;
        }
        return Finish(mail.Link("Open the key", links.To($"/settings/api-keys/{Uri.EscapeDataString(key)}")), accountName, message, links, stopUrl);
    }

    private static MailContent Finish(MailBuilder mail, string accountName, OutboxMessage message, MailLinks links, string stopUrl) =>
        mail.Footer(Footer(accountName, message.Type), "Owners: stop emails about this event", Unsubscribe(links, message))
            .Footer("Not for you, or too many?", "Stop all of these emails to this address", stopUrl)
            .Build();

    private static string Footer(string accountName, string type) =>
        $"You get this email as an owner of {accountName} in BizKeys, or because its owners listed your address, for “{NotificationEvents.Describe(type)}”. An owner can change who gets which emails on Settings > Notifications.";

    private static string Unsubscribe(MailLinks links, OutboxMessage message) =>
        links.To($"/settings/notifications?account={message.AccountId}&unsubscribe={Uri.EscapeDataString(message.Type)}");

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Format(DateTime at) => at.ToUniversalTime().ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
