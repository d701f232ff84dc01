using System.Diagnostics;
using System.Net;
using BizKeys.Core.Audit;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Access;

/// <summary>Sign-in tells nobody who has an account: the same words, a similar time, the same lockout.</summary>
public class SignInGuardTests
{
    private static async Task<string> SignInTextAsync(HttpClient client, string email, string password) =>
        await (await HttpSignIn.SignInAsync(client, email, password)).Content.ReadAsStringAsync();

    [Fact]
    public async Task An_unknown_email_is_locked_after_five_failures_with_the_same_words_as_a_real_one()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        var real = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            real.Add(await SignInTextAsync(client, TestData.OwnerEmail, "guess " + i));
            unknown.Add(await SignInTextAsync(client, "nobody@example.com", "guess " + i));
        }

        const string wrong = "The email or password is not right.";
        const string locked = "Too many failed attempts. This sign-in is locked for 15 minutes.";
        for (var i = 0; i < 4; i++)
        {
            Assert.Contains(wrong, real[i]);
            Assert.Contains(wrong, unknown[i]);
        }
        Assert.Contains(locked, real[5]);
        Assert.Contains(locked, unknown[5]);
    }

    [Fact]
    public async Task An_unknown_email_takes_about_as_long_as_a_wrong_password()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);
        await SignInTextAsync(client, "warm@example.com", "warm up"); // first use makes the stand-in hash

        async Task<double> TimeAsync(string email)
        {
            var watch = Stopwatch.StartNew();
            await SignInTextAsync(client, email, "not the password");
            return watch.Elapsed.TotalMilliseconds;
        }
        // Interleaved, so that whatever else the machine is doing weighs on both alike; medians of six each (the
        // owner stays under the five-failure lockout: its window is reset by a success in between).
        var knownTimes = new List<double>();
        var unknownTimes = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            knownTimes.Add(await TimeAsync(TestData.OwnerEmail));
            unknownTimes.Add(await TimeAsync($"nobody{i}@example.com"));
            if (i == 3)
                await HttpSignIn.SignInAsync(HttpSignIn.Client(app), TestData.OwnerEmail, TestData.Password);
        }
        static double Median(List<double> times) => times.Order().Skip(2).Take(2).Average();
        var known = Median(knownTimes);
        var unknownEmail = Median(unknownTimes);

        // Before, an unknown email answered in a fifth of the time; a password hash now sets the pace for both (a
        // wrong password also records the failure, so it stays somewhat slower).
        Assert.True(unknownEmail > known * 0.4, $"unknown email {unknownEmail:0} ms against a wrong password {known:0} ms");
    }

    [Fact]
    public async Task Twenty_failures_from_one_address_pause_sign_in_from_it_even_with_the_right_password()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        for (var i = 0; i < 20; i++)
            await SignInTextAsync(client, $"spray{i}@example.com", "not the password");
        var right = await HttpSignIn.SignInAsync(client, TestData.OwnerEmail, TestData.Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("Too many sign-in attempts from your network", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Repeated_failures_write_one_audit_row_and_one_for_the_lockout_and_unknown_emails_none()
    {
        await using var app = new AppFactory();
        using var client = HttpSignIn.Client(app);

        for (var i = 0; i < 8; i++)
            await SignInTextAsync(client, TestData.OwnerEmail, "guess " + i);
        for (var i = 0; i < 8; i++)
            await SignInTextAsync(client, $"ghost{i}@example.com", "guess");

        var (account, owner) = await app.OwnerAsync();
        var audit = app.Services.GetRequiredService<AuditLog>();
        var failed = (await audit.QueryAsync(new AuditQuery(account.Id) { Action = AuditActions.SignInFailed }, owner)).Items;
        var lockedOut = (await audit.QueryAsync(new AuditQuery(account.Id) { Action = AuditActions.SignInLockedOut }, owner)).Items;
        Assert.Single(failed);
        Assert.Equal("Sign-in locked after 5 failed attempts", Assert.Single(lockedOut).Summary);
        await using var db = await app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<BizKeys.Core.Data.BizKeysDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.AuditEntries, e => e.AccountId == null));
    }

    [Fact]
    public async Task After_the_window_a_real_and_an_unknown_email_answer_alike_again()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new AppFactory(time: time);
        using var client = HttpSignIn.Client(app);
        for (var i = 0; i < 4; i++)
        {
            await SignInTextAsync(client, TestData.OwnerEmail, "guess " + i);
            await SignInTextAsync(client, "nobody@example.com", "guess " + i);
        }

        time.Advance(TimeSpan.FromMinutes(16));
        var real = await SignInTextAsync(client, TestData.OwnerEmail, "one more typo");
        var unknown = await SignInTextAsync(client, "nobody@example.com", "one more typo");

        Assert.Contains("The email or password is not right.", real); // no counter left in the database to give it away
        Assert.Contains("The email or password is not right.", unknown);
    }
}
