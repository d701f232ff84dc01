using System.Collections.Concurrent;
using BizKeys.Core.Mail;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

/// <summary>
/// "Forgot password?": a link with Identity's reset token (an hour, once) is mailed to the address if it belongs to
/// someone — and the page answers the same either way, equally fast: the mail is sent in the background. The link is
/// a secret, so it is never queued in the database; a failed send is logged without it and the person asks again.
/// At most one mail per address every <see cref="PerAddress"/>, and <see cref="PerMinute"/> in all a minute, so the
/// form cannot be used to flood someone's inbox or the mail server.
/// </summary>
public sealed partial class PasswordResets(MailSender sender, MailLinks links, TimeProvider time, ILogger<PasswordResets> logger)
{
    public static readonly TimeSpan PerAddress = TimeSpan.FromMinutes(5);
    public const int PerMinute = 30;

    private readonly ConcurrentDictionary<string, DateTime> _lastSent = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();
    private DateTime _minute;
    private int _sentThisMinute;

    /// <summary>Starts the mail when the address is someone's and the limits allow; returns at once either way.</summary>
    public async Task RequestAsync(UserManager<BizKeysUser> users, string email, CancellationToken ct)
    {
        email = email.Trim();
        if (email.Length is 0 or > 256)
            return;
        var user = await users.FindByEmailAsync(email);
        if (user?.Email is null || !Allow(user.Email))
            return;
        var token = await users.GeneratePasswordResetTokenAsync(user);
        // The token after "#": browsers never send that part, so it reaches no server log, proxy or Referer.
        var link = links.To($"/reset-password?email={Uri.EscapeDataString(user.Email)}#token={Uri.EscapeDataString(token)}");
        var content = new MailBuilder("Reset your BizKeys password")
            .Paragraph($"Someone — hopefully you — asked to reset the password of {user.Email} on BizKeys.")
            .Link("Choose a new password", link)
            .Paragraph($"The link works once, for {Core.DependencyInjection.PasswordResetLifetime.TotalMinutes:0} minutes. Choosing a new password signs you out everywhere else.")
            .Footer("If you did not ask for this, ignore this email: your password stays as it is.")
            .Build();
        _ = Task.Run(async () =>
        {
            if (await sender.SendNowAsync(user.Email, content, CancellationToken.None))
                LogSent(user.Id);
        }, CancellationToken.None);
    }

    private bool Allow(string email)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            if (now - _minute >= TimeSpan.FromMinutes(1))
                (_minute, _sentThisMinute) = (now, 0);
            if (_sentThisMinute >= PerMinute)
                return false;
            if (_lastSent.TryGetValue(email, out var last) && now - last < PerAddress)
                return false;
            _sentThisMinute++;
            _lastSent[email] = now;
            if (_lastSent.Count > 10_000)
                foreach (var old in _lastSent.Where(e => now - e.Value >= PerAddress).Select(e => e.Key).ToList())
                    _lastSent.TryRemove(old, out _);
            return true;
        }
    }

    [LoggerMessage(LogLevel.Information, "Password reset link mailed to user {UserId}")]
    private partial void LogSent(Guid userId);
}
