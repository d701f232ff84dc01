using BizKeys.Core;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Audit;
using BizKeys.Core.Leaks;
using BizKeys.Core.Verification;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

/// <summary>A leaked secret pasted anywhere is found, and its key revoked at once, audited and shown to its owners.</summary>
public class LeakReporterTests : IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private LeakReporter Leaks => _db.Services.GetRequiredService<LeakReporter>();

    private async Task<FailureReason?> ReasonAsync(string key, string secret) =>
        (await _db.Services.GetRequiredService<KeyVerifier>().VerifyAsync(key, secret, ip: null)).Reason;

    private static readonly Actor Anonymous = new("leak report from 198.51.100.7") { Ip = "198.51.100.7" };

    [Fact]
    public void Only_whole_secrets_with_a_right_checksum_are_found_once_each()
    {
        var real = KeyFormat.NewSecret();
        var other = KeyFormat.NewSecret();
        var mistyped = real[..^1] + (real[^1] == 'a' ? 'b' : 'a');
        var text = $"""
            2026-11-27 ERROR calling API: secret="{real}", retrying
            export BIZKEYS_SECRET={other}
            again: {real}
            typo: {mistyped}
            embedded: x{other[..^1]}Zq
            """;

        Assert.Equal([real, other], LeakReporter.FindSecrets(text));
    }

    [Fact]
    public async Task A_reported_secret_revokes_its_key_at_once_audited_and_noticed_and_a_second_report_changes_nothing()
    {
        var issued = await _db.CreateKeyAsync("Production bot");
        var bystander = await _db.CreateKeyAsync("Staging bot");

        var report = await Leaks.ReportAsync($"Slack: here is our key {issued.Key.Key} and secret {issued.Secret} :)", _db.Owner, _db.Account.Id);

        Assert.Equal((1, 1), (report.Found, report.Revoked));
        Assert.Equal([new LeakedKey(issued.Key.Key, "Production bot", WasAlreadyRevoked: false)], report.YourKeys);
        Assert.Equal(ApiKeyStatus.Revoked, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);
        Assert.Equal(ApiKeyStatus.Active, (await _db.Keys.GetAsync(_db.Account.Id, bystander.Key.Key, _db.Owner))!.Status);
        Assert.Equal(FailureReason.Revoked, await ReasonAsync(issued.Key.Key, issued.Secret));
        var audit = (await _db.Services.GetRequiredService<AuditLog>().QueryAsync(
            new AuditQuery(_db.Account.Id) { Target = issued.Key.Key, Action = AuditActions.KeyRevoked }, _db.Owner)).Items;
        Assert.Equal("Revoked: secret reported as leaked", Assert.Single(audit).Summary);
        var notice = Assert.Single(await Leaks.NoticesAsync(_db.Account.Id, _db.Owner));
        Assert.Equal((issued.Key.Key, "Production bot"), (notice.Key, notice.Name));

        var again = await Leaks.ReportAsync(issued.Secret, _db.Owner, _db.Account.Id);
        Assert.Equal((1, 0), (again.Found, again.Revoked));
        Assert.True(Assert.Single(again.YourKeys).WasAlreadyRevoked);
        Assert.Single(await Leaks.NoticesAsync(_db.Account.Id, _db.Owner));
    }

    [Fact]
    public async Task A_secret_still_in_its_grace_period_counts_and_other_accounts_keys_are_revoked_but_never_named()
    {
        var mine = await _db.CreateKeyAsync("Production bot");
        var rotated = await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = mine.Key.Key, GraceMinutes = 1440 }, _db.Owner);
        var other = await _db.CreateAccountAsync("Globex Retail");
        var request = _db.NewKey("Globex sync");
        request.AccountId = other.Id;
        var theirs = await _db.Keys.CreateAsync(request, Actor.CommandLine);

        var report = await Leaks.ReportAsync($"old: {mine.Secret}\ntheirs: {theirs.Secret}", _db.Owner, _db.Account.Id);

        Assert.Equal((2, 2), (report.Found, report.Revoked));
        Assert.Equal(["Production bot"], report.YourKeys.Select(k => k.Name));
        Assert.Equal(FailureReason.Revoked, await ReasonAsync(mine.Key.Key, rotated.Secret));
        Assert.Equal(ApiKeyStatus.Revoked, (await _db.Keys.GetAsync(other.Id, theirs.Key.Key, Actor.CommandLine))!.Status);
        Assert.Single(await Leaks.NoticesAsync(other.Id, Actor.CommandLine));
        Assert.Equal("leak report", (await _db.Keys.GetAsync(other.Id, theirs.Key.Key, Actor.CommandLine))!.RevokedBy); // not the reporter's email
        Assert.Equal(TestData.OwnerEmail, (await _db.Keys.GetAsync(_db.Account.Id, mine.Key.Key, _db.Owner))!.RevokedBy);
    }

    [Fact]
    public async Task Anyone_holding_a_secret_may_report_it_and_learns_counts_only()
    {
        var issued = await _db.CreateKeyAsync("Production bot");

        var report = await Leaks.ReportAsync($"found in a public gist: {issued.Secret}", Anonymous, reporterAccount: null);

        Assert.Equal((1, 1, 0), (report.Found, report.Revoked, report.YourKeys.Count));
        var revoked = (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!;
        Assert.Equal("leak report", revoked.RevokedBy); // the key's owners are not told who reported it, nor from where
    }

    [Fact]
    public async Task Empty_oversized_and_overfull_texts_are_refused_with_a_clear_message_and_revoke_nothing()
    {
        var issued = await _db.CreateKeyAsync("Production bot");

        var empty = await Assert.ThrowsAsync<ValidationException>(() => Leaks.ReportAsync("   ", Anonymous, null));
        var large = await Assert.ThrowsAsync<ValidationException>(() =>
            Leaks.ReportAsync(issued.Secret + new string(' ', LeakReporter.MaxTextLength), Anonymous, null));
        var full = await Assert.ThrowsAsync<ValidationException>(() =>
            Leaks.ReportAsync(string.Join(' ', Enumerable.Range(0, LeakReporter.MaxSecretsPerReport + 1).Select(_ => KeyFormat.NewSecret())) + " " + issued.Secret, Anonymous, null));

        Assert.Equal("Paste the text that holds the secret: a log excerpt, a message or a file.", empty.Errors.Single().ErrorMessage);
        Assert.Equal("Paste at most 1,024 KB of text at a time.", large.Errors.Single().ErrorMessage);
        Assert.Equal("That text holds more than 1,000 secrets; report it in parts.", full.Errors.Single().ErrorMessage);
        Assert.Equal(ApiKeyStatus.Active, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);
    }

    [Fact]
    public async Task Only_owners_acknowledge_the_notices_they_saw_and_only_the_accounts_people_see_them()
    {
        var issued = await _db.CreateKeyAsync("Production bot");
        var later = await _db.CreateKeyAsync("Staging bot");
        var member = await _db.AddUserAsync("member@example.com", "Member");
        var stranger = await _db.AddUserAsync("owner@other.example", "Owner", "Other Business");
        await Leaks.ReportAsync(issued.Secret, Anonymous, null);
        var seen = await Leaks.NoticesAsync(_db.Account.Id, member);
        await Leaks.ReportAsync(later.Secret, Anonymous, null); // arrives after the page showed the first

        await Assert.ThrowsAsync<AccessDeniedException>(() => Leaks.AcknowledgeAsync(_db.Account.Id, [.. seen.Select(n => n.Id)], member));
        await Assert.ThrowsAsync<AccountNotFoundException>(() => Leaks.NoticesAsync(_db.Account.Id, stranger));
        await Leaks.AcknowledgeAsync(_db.Account.Id, [.. seen.Select(n => n.Id)], _db.Owner);

        Assert.Equal(["Staging bot"], (await Leaks.NoticesAsync(_db.Account.Id, _db.Owner)).Select(n => n.Name));
    }

    [Fact]
    public async Task An_old_secret_past_its_grace_period_is_no_leak_and_cannot_revoke_the_key_that_replaced_it()
    {
        var issued = await _db.CreateKeyAsync("Production bot");
        await _db.Keys.RotateAsync(new RotateKeyRequest { AccountId = _db.Account.Id, Key = issued.Key.Key, GraceMinutes = 60 }, _db.Owner);
        _db.Time.Advance(TimeSpan.FromMinutes(61));

        var report = await Leaks.ReportAsync($"an ex-employee pastes {issued.Secret}", Anonymous, null);

        Assert.Equal((1, 0), (report.Found, report.Revoked));
        Assert.Equal(ApiKeyStatus.Active, (await _db.Keys.GetAsync(_db.Account.Id, issued.Key.Key, _db.Owner))!.Status);
    }
}
