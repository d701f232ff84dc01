using BizKeys.Admin.Cli;
using BizKeys.Core.Accounts;
using BizKeys.Core.Members;
using BizKeys.Core.Users;
using BizKeys.Core;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Cli;

public class UsersCommandTests : DatabaseTest
{

    [Fact]
    public async Task An_owner_of_a_new_account_a_member_and_support_staff_are_created()
    {
        var owner = await Run("users", "create", "--email", "boss@acme.example", "--password", TestData.Password, "--role", "Owner", "--account", "Acme Ltd");
        var member = await Run("users", "create", "--email", "clerk@acme.example", "--password", TestData.Password, "--role", "member", "--account", "Acme Ltd");
        var support = await Run("users", "create", "--email", "help@bizkeys.example", "--password", TestData.Password, "--role", "Support");

        Assert.Equal((0, "Created boss@acme.example as Owner of 'Acme Ltd'.\n", ""), owner);
        Assert.Equal((0, "Created clerk@acme.example as Member of 'Acme Ltd'.\n", ""), member);
        Assert.Equal((0, "Created support user help@bizkeys.example.\n", ""), support);
        var acme = (await Db.Accounts.FindByNameAsync("Acme Ltd"))!;
        var members = await Db.Services.GetRequiredService<MemberService>().ListAsync(acme.Id, BizKeys.Core.Actor.CommandLine);
        Assert.Equal([("boss@acme.example", AccountRole.Owner), ("clerk@acme.example", AccountRole.Member)], members.Select(m => (m.Email, m.Role)));
        Assert.True((await Db.Services.GetRequiredService<UserDirectory>().FindByEmailAsync("help@bizkeys.example"))!.IsSupport);
    }

    [Theory]
    [InlineData(1, "error: --role: Role must be Owner, Member or Support, not 'Admin'.", "--email", "a@example.com", "--password", TestData.Password, "--role", "Admin", "--account", "My Business")]
    [InlineData(1, "error: --account: An Owner belongs to an account: add --account NAME.", "--email", "a@example.com", "--password", TestData.Password, "--role", "Owner")]
    [InlineData(1, "error: --account: There is no account named 'Nowhere'. Create its owner first.", "--email", "a@example.com", "--password", TestData.Password, "--role", "Member", "--account", "Nowhere")]
    [InlineData(1, "error: --account: Support staff see every account read-only; leave out --account.", "--email", "a@example.com", "--password", TestData.Password, "--role", "Support", "--account", "My Business")]
    [InlineData(1, "error: --email: A user with the email owner@example.com exists already.", "--email", "owner@example.com", "--password", TestData.Password, "--role", "Member", "--account", "My Business")]
    [InlineData(1, "error: --email: Enter a valid email address, such as owner@example.com.", "--email", "not-an-email", "--password", TestData.Password, "--role", "Member", "--account", "My Business")]
    [InlineData(1, "error: --password: Passwords must be at least 10 characters.", "--email", "a@example.com", "--password", "short", "--role", "Owner", "--account", "Brand New")]
    [InlineData(2, "error: option '--password-stdin' or '--password' is required.", "--email", "a@example.com", "--role", "Owner", "--account", "X")]
    public async Task Bad_input_gets_a_message_and_a_non_zero_exit_and_changes_nothing(int expectedExit, string message, params string[] options)
    {
        var (exit, output, error) = await Run(["users", "create", .. options]);

        Assert.Equal(expectedExit, exit);
        Assert.Equal("", output);
        Assert.Contains(message, error);
        Assert.Null(await Db.Services.GetRequiredService<UserDirectory>().FindByEmailAsync("a@example.com"));
        Assert.Null(await Db.Accounts.FindByNameAsync("Brand New"));
    }

    private async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(Db.Services, args, output, error);
        return (exit, output.ToString().Replace("\r", ""), error.ToString());
    }
}
