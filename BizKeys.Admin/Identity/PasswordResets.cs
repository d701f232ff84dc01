using System.Collections.Concurrent;
using BizKeys.Core.Mail;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

/// <summary>
/// "Forgot password?": a link with Identity's reset token (an hour, once) is mailed to the address if it belongs to
/// someone. The page answers the same, equally fast, either way: everything — the look-up, the token, the mail — happens
/// in the background after it answered. The link is a secret, so it is never queued in the database (with no mail
/// server it is in the <c>.eml</c> file, as any mail would be); a failed send is logged without it and the person asks
/// again. Limits, so the form floods nobody's inbox and nobody can use up everyone's resets: one mail per address every
/// <see cref="PerAddress"/> and <see cref="PerAddressPerDay"/> a day, <see cref="PerClientPerHour"/> requests an hour
/// from one client address, <see cref="PerMinute"/> mails a minute in all — kept in this instance's memory.
/// </summary>
public sealed partial class PasswordResets(IServiceScopeFactory scopes, MailSender sender, MailLinks links, TimeProvider time, ILogger<PasswordResets> logger)
{
    public static readonly TimeSpan PerAddress = TimeSpan.FromMinutes(5);
    public const int PerAddressPerDay = 3;
    public const int PerClientPerHour = 10;
    public const int PerMinute = 100;

    private readonly ConcurrentDictionary<string, List<DateTime>> _byAddress = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, List<DateTime>> _byClient = new(StringComparer.Ordinal);
    private readonly List<DateTime> _all = [];
    private readonly Lock _gate = new();

    /// <summary>Starts the work in the background and returns at once, whoever the address belongs to.</summary>
    public void Request(string email, string? client)
    {
        email = email.Trim();
        if (email.Length is 0 or > 256 || !AllowClient(client ?? "unknown"))
            return;
        _ = Task.Run(() => SendAsync(email), CancellationToken.None);
    }

    /// <summary>The background part: the background's own scope (the request's is gone by then).</summary>
    internal async Task SendAsync(string email)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<BizKeysUser>>();
            var user = await users.FindByEmailAsync(email);
            if (user?.Email is null || !AllowAddress(user.Email))
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
            if (await sender.SendNowAsync(user.Email, content, CancellationToken.None))
                LogSent(user.Id);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogFailed(e.GetType().Name); // never the message: it holds the link
        }
    }

    private bool AllowClient(string client)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            if (_byClient.Count > 10_000)
                foreach (var idle in _byClient.Where(e => e.Value.All(t => now - t >= TimeSpan.FromHours(1))).Select(e => e.Key).ToList())
                    _byClient.TryRemove(idle, out _);
            return Take(_byClient.GetOrAdd(client, _ => []), now, TimeSpan.FromHours(1), PerClientPerHour);
        }
    }

    private bool AllowAddress(string email)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            var sent = _byAddress.GetOrAdd(email, _ => []);
            sent.RemoveAll(t => now - t >= TimeSpan.FromDays(1));
            if (sent.Count >= PerAddressPerDay || sent.Any(t => now - t < PerAddress))
                return false;
            if (!Take(_all, now, TimeSpan.FromMinutes(1), PerMinute))
                return false;
            sent.Add(now);
            if (_byAddress.Count > 10_000)
                foreach (var idle in _byAddress.Where(e => e.Value.All(t => now - t >= TimeSpan.FromDays(1))).Select(e => e.Key).ToList())
                    _byAddress.TryRemove(idle, out _);
            return true;
        }
    }

    /// <summary>Counts one more in a sliding window when there is room (under the gate).</summary>
    private static bool Take(List<DateTime> times, DateTime now, TimeSpan window, int max)
    {
        times.RemoveAll(t => now - t >= window);
        if (times.Count >= max)
            return false;
        times.Add(now);
        return true;
    }

    [LoggerMessage(LogLevel.Information, "Password reset link mailed to user {UserId}")]
    private partial void LogSent(Guid userId);

    [LoggerMessage(LogLevel.Warning, "A password reset mail could not be made or sent ({Error}); the person can ask again")]
    private partial void LogFailed(string error);
}
