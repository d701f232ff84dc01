using System.Collections.Concurrent;
using BizKeys.Core.Users;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

/// <summary>
/// What stands before a password check: per email (whether or not it exists) five failures lock the sign-in for
/// 15 minutes, and per client address 20 failures pause sign-in for 10 minutes. Unknown emails cost a password
/// hash like known ones, so neither the words nor the time tell who has an account.
/// </summary>
public sealed class SignInGuard(TimeProvider time, Microsoft.Extensions.Options.IOptions<PasswordHasherOptions> hashing)
{
    private readonly PasswordHasher<BizKeysUser> _hasher = new(hashing); // the same work factor as real checks

    public const int FailuresPerEmail = 5;
    public static readonly TimeSpan EmailWindow = TimeSpan.FromMinutes(15);
    public const int FailuresPerAddress = 20;
    public static readonly TimeSpan AddressWindow = TimeSpan.FromMinutes(10);
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<string, Window> _emails = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Window> _addresses = new(StringComparer.Ordinal);
    private string? _dummyHash;

    public bool IsEmailLocked(string email) => Count(_emails, Key(email), EmailWindow) >= FailuresPerEmail;

    public bool IsAddressPaused(string? address) => address is not null && Count(_addresses, address, AddressWindow) >= FailuresPerAddress;

    /// <returns>The email's failures in its current window, this one included.</returns>
    public int Failed(string email, string? address)
    {
        if (address is not null)
            Add(_addresses, address, AddressWindow);
        return Add(_emails, Key(email), EmailWindow);
    }

    public void Succeeded(string email) => _emails.TryRemove(Key(email), out _);

    /// <summary>Spends the time a real password check takes, for an email that has no account.</summary>
    public void SpendPasswordCheck(string password)
    {
        _dummyHash ??= _hasher.HashPassword(new BizKeysUser(), Guid.NewGuid().ToString());
        _hasher.VerifyHashedPassword(new BizKeysUser(), _dummyHash, password);
    }

    private static string Key(string email) => email.Trim().ToUpperInvariant();

    private int Count(ConcurrentDictionary<string, Window> windows, string key, TimeSpan length) =>
        windows.TryGetValue(key, out var window) && time.GetUtcNow() - window.Start < length ? window.Count : 0;

    private int Add(ConcurrentDictionary<string, Window> windows, string key, TimeSpan length)
    {
        var now = time.GetUtcNow();
        if (windows.Count > SweepAbove)
        {
            foreach (var (stale, window) in windows)
            {
                if (now - window.Start >= length)
                    windows.TryRemove(stale, out _);
            }
        }
        var updated = windows.AddOrUpdate(key, _ => new Window(now, 1),
            (_, window) => now - window.Start >= length ? new Window(now, 1) : window with { Count = window.Count + 1 });
        return updated.Count;
    }

    private sealed record Window(DateTimeOffset Start, int Count);
}
