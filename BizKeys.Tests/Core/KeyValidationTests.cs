using BizKeys.Core;
using BizKeys.Core.ApiKeys;
using BizKeys.Tests.Support;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Core;

public class KeyValidationTests : DatabaseTest
{

    [Theory]
    [InlineData("Production bot")]
    [InlineData("Büro Köln – 東京 🚀")]
    [InlineData("a")]
    [InlineData("  padded  ")]
    public async Task Good_names_are_accepted(string name) => Assert.Empty(await ErrorsFor(r => r.Name = name));

    [Fact]
    public async Task A_name_of_64_characters_is_accepted_and_65_is_refused()
    {
        Assert.Empty(await ErrorsFor(r => r.Name = new string('x', 64)));
        Assert.Equal(["Use at most 64 characters."], await ErrorsFor(r => r.Name = new string('x', 65)));
        // Characters, not UTF-16 units: 64 emoji fit.
        Assert.Empty(await ErrorsFor(r => r.Name = string.Concat(Enumerable.Repeat("🚀", 64))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n ")]
    public async Task Empty_or_whitespace_names_are_refused(string name) =>
        Assert.Equal(["Enter a name for the key."], await ErrorsFor(r => r.Name = name));

    [Theory]
    [InlineData("bad\tname")]
    [InlineData("line\nbreak")]
    [InlineData("bell\u0007")]
    public async Task Names_with_control_characters_are_refused(string name) =>
        Assert.Equal(["The name can't contain control characters such as tabs or line breaks."], await ErrorsFor(r => r.Name = name));

    [Fact]
    public async Task Duplicate_names_that_differ_only_in_case_are_refused()
    {
        await Db.CreateKeyAsync("CRM Sync");

        Assert.Equal(["Another key in this account is already named \"crm sync\"."], await ErrorsFor(r => r.Name = "crm sync"));
        Assert.Equal(["Another key in this account is already named \"CRM SYNC\"."], await ErrorsFor(r => r.Name = " CRM SYNC "));
    }

    [Fact]
    public async Task The_same_name_in_another_account_is_fine()
    {
        await Db.CreateKeyAsync("CRM Sync");
        var other = await Db.CreateAccountAsync("Other Business");

        Assert.Empty(await ErrorsFor(r => { r.Name = "CRM Sync"; r.AccountId = other.Id; }));
    }

    [Fact]
    public async Task Editing_a_key_without_renaming_it_does_not_clash_with_itself()
    {
        var issued = await Db.CreateKeyAsync("CRM Sync");
        var edit = UpdateKeyRequest.From(issued.Key, Db.Account.Id);
        edit.Name = "crm sync";
        var validator = Db.Services.GetRequiredService<IValidator<UpdateKeyRequest>>();

        Assert.True((await validator.ValidateAsync(edit)).IsValid);
    }

    [Fact]
    public async Task Creating_a_duplicate_through_the_service_saves_nothing()
    {
        await Db.CreateKeyAsync("CRM Sync");

        var error = await Assert.ThrowsAsync<ValidationException>(() => Db.CreateKeyAsync("crm sync"));

        Assert.Contains(error.Errors, e => e.PropertyName == "Name");
        var page = await Db.Keys.QueryAsync(new KeyQuery(Db.Account.Id), Db.Owner);
        Assert.Equal(1, page.TotalCount);
    }

    [Fact]
    public async Task Environment_must_come_from_the_configured_list() =>
        Assert.Equal(["Choose one of: Production, Staging, Development."], await ErrorsFor(r => r.Environment = "production"));

    [Fact]
    public async Task Permissions_must_come_from_the_catalogue()
    {
        Assert.Empty(await ErrorsFor(r => r.Permissions = []));
        Assert.Empty(await ErrorsFor(r => r.Permissions = ["messages:send", "usage:read", "keys:verify"]));
        Assert.Equal(["\"messages:delete\" is not a permission BizKeys knows."], await ErrorsFor(r => r.Permissions = ["messages:send", "messages:delete"]));
    }

    [Fact]
    public async Task Expiry_must_be_in_the_future_and_within_ten_years()
    {
        Assert.Empty(await ErrorsFor(r => r.ExpiresAt = null));
        Assert.Empty(await ErrorsFor(r => r.ExpiresAt = Db.Now.AddMinutes(1)));
        Assert.Equal(["Choose an expiry date in the future."], await ErrorsFor(r => r.ExpiresAt = Db.Now));
        Assert.Equal(["Choose an expiry date in the future."], await ErrorsFor(r => r.ExpiresAt = Db.Now.AddDays(-1)));
        Assert.Equal(["Choose an expiry date within 10 years."], await ErrorsFor(r => r.ExpiresAt = Db.Now.AddYears(11)));
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("203.0.113.0/24")]
    [InlineData("2001:db8::/32")]
    [InlineData("203.0.113.7, 198.51.100.0/24\n2001:db8::1")]
    public async Task Valid_addresses_and_ranges_are_accepted(string allowlist) =>
        Assert.Empty(await ErrorsFor(r => r.IpAllowlist = allowlist));

    [Theory]
    [InlineData("203.0.113.300", "203.0.113.300")]
    [InlineData("203.0.113.0/33", "203.0.113.0/33")]
    [InlineData("10.0.0.1, example.com", "example.com")]
    public async Task Invalid_addresses_are_refused_naming_the_bad_entry(string allowlist, string bad) =>
        Assert.Equal([$"\"{bad}\" is not an IP address or CIDR range (for example 203.0.113.7 or 203.0.113.0/24)."],
            await ErrorsFor(r => r.IpAllowlist = allowlist));

    [Fact]
    public void Allowlist_entries_are_stored_as_canonical_ranges() =>
        Assert.Equal(["203.0.113.7/32", "203.0.113.0/24", "2001:db8::1/128"],
            IpRanges.Normalize("203.0.113.7, 203.0.113.9/24\n\n2001:db8::1  203.0.113.7"));

    [Fact]
    public async Task At_most_fifty_allowlist_entries()
    {
        var fiftyOne = string.Join("\n", Enumerable.Range(1, 51).Select(i => $"10.0.0.{i}"));
        Assert.Equal(["Use at most 50 addresses or ranges."], await ErrorsFor(r => r.IpAllowlist = fiftyOne));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(100_001)]
    public async Task Rate_limit_out_of_range_is_refused(int limit) =>
        Assert.Equal(["Enter between 1 and 100,000 requests per minute, or leave it empty for no limit."],
            await ErrorsFor(r => r.RateLimitPerMinute = limit));

    [Fact]
    public async Task Rate_limit_may_be_empty_or_in_range()
    {
        Assert.Empty(await ErrorsFor(r => r.RateLimitPerMinute = null));
        Assert.Empty(await ErrorsFor(r => r.RateLimitPerMinute = 1));
        Assert.Empty(await ErrorsFor(r => r.RateLimitPerMinute = 100_000));
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(10080, true)]
    [InlineData(10081, false)]
    public async Task Grace_must_be_within_the_configured_choices(int minutes, bool valid)
    {
        var validator = Db.Services.GetRequiredService<IValidator<RotateKeyRequest>>();
        var result = await validator.ValidateAsync(new RotateKeyRequest { AccountId = Db.Account.Id, Key = "bk_x", GraceMinutes = minutes });
        Assert.Equal(valid, result.IsValid);
    }

    private async Task<string[]> ErrorsFor(Action<CreateKeyRequest> change)
    {
        var request = Db.NewKey();
        change(request);
        var validator = Db.Services.GetRequiredService<IValidator<CreateKeyRequest>>();
        var result = await validator.ValidateAsync(request);
        return [.. result.Errors.Select(e => e.ErrorMessage)];
    }
}
