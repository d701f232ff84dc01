using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.Members;
using BizKeys.Core.Support;
using BizKeys.Core.Users;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Support;

/// <summary>
/// The one place for test data and seeding: every host (Core, bUnit, HTTP, browser, own process) starts from the
/// same owner, account and clock, and creates people through the product's own paths.
/// </summary>
public static class TestData
{
    public const string OwnerEmail = "owner@example.com";
    public const string Password = "correct horse battery";
    public const string AccountName = "My Business";
    /// <summary>Where every fake clock starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The seed owner of <see cref="AccountName"/>, created as an operator would (<c>users create</c>).</summary>
    public static Task<BizKeysUser> SeedOwnerAsync(this IServiceProvider services) =>
        services.CreateUserAsync(OwnerEmail, "Owner", AccountName);

    /// <summary>A person created as <c>users create</c> does: Owner or Member of <paramref name="account"/>, or Support.</summary>
    public static Task<BizKeysUser> CreateUserAsync(this IServiceProvider services, string email, string role, string? account = AccountName, string password = Password) =>
        services.GetRequiredService<AccountService>().CreateUserAsync(new CreateUserRequest
        {
            Email = email,
            Password = password,
            Kind = Enum.Parse<UserKind>(role, ignoreCase: true),
            AccountName = role.Equals("Support", StringComparison.OrdinalIgnoreCase) ? null : account,
        }, Actor.CommandLine);

    public static Task InviteAsync(this MemberService members, Guid accountId, string email, string initialPassword, AccountRole role, Actor actor) =>
        members.InviteAsync(accountId, new InviteRequest { Email = email, Password = initialPassword, Role = role }, actor);

    public static Task<SupportGrantView> OpenAccountAsync(this SupportService support, Guid accountId, string reason, Actor actor) =>
        support.OpenAccountAsync(accountId, new OpenAccountRequest { Reason = reason }, actor);
}
