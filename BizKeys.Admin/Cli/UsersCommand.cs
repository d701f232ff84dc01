using BizKeys.Core;
using BizKeys.Core.Users;
using FluentValidation;

namespace BizKeys.Admin.Cli;

/// <summary><c>users create</c>: adds a person who can sign in, as Owner or Member of an account, or as Support staff.</summary>
public static class UsersCommand
{
    public const string Help = """
        usage: users create --email EMAIL --password PASSWORD --role Owner|Member|Support [--account NAME]
          Owner: creates the account when it does not exist yet. Member: the account must exist. Support: no account.
        """;

    private static readonly string[] CreateOptions = ["email", "password", "role", "account"];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Length == 0 || !args[0].Equals("create", StringComparison.OrdinalIgnoreCase))
            throw new UsageException(args.Length == 0 ? "say what to do with users." : $"unknown users command '{args[0]}'.");
        var options = Options.Parse(args[1..], CreateOptions);
        var email = options.Required("email");
        var password = options.Required("password");
        var role = options.Required("role");
        var account = options.Optional("account");
        try
        {
            var user = await services.GetRequiredService<UserDirectory>().CreateWithRoleAsync(email, password, role, account, Actor.CommandLine, ct);
            await output.WriteLineAsync(user.IsSupport
                ? $"Created support user {user.Email}."
                : $"Created {user.Email} as {Capitalise(role)} of '{account!.Trim()}'.");
            return 0;
        }
        catch (ValidationException e)
        {
            foreach (var failure in e.Errors)
                await error.WriteLineAsync($"error: --{failure.PropertyName.ToLowerInvariant()}: {failure.ErrorMessage}");
            return 1;
        }
    }

    private static string Capitalise(string role) => char.ToUpperInvariant(role[0]) + role[1..].ToLowerInvariant();
}
