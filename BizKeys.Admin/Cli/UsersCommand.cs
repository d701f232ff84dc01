using BizKeys.Core;
using BizKeys.Core.Accounts;
using FluentValidation;

namespace BizKeys.Admin.Cli;

/// <summary><c>users create</c>: adds a person who can sign in, as Owner or Member of an account, or as Support staff.</summary>
public static class UsersCommand
{
    public const string Help = """
        usage: users create --email EMAIL (--password-stdin | --password PASSWORD) --role Owner|Member|Support [--account NAME]
          Owner: creates the account when it does not exist yet. Member: the account must exist. Support: no account.
          --password-stdin reads the password from the first line of standard input, out of the process list and shell history.
        """;

    private static readonly string[] CreateOptions = ["email", "password", "role", "account"];
    private static readonly string[] CreateFlags = ["password-stdin"];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, TextReader input, CancellationToken ct)
    {
        if (args.Length == 0 || !args[0].Equals("create", StringComparison.OrdinalIgnoreCase))
            throw new UsageException(args.Length == 0 ? "say what to do with users." : $"unknown users command '{args[0]}'.");
        var options = Options.Parse(args[1..], CreateOptions, CreateFlags);
        var email = options.Required("email");
        var password = await PasswordAsync(options, input);
        var role = options.Required("role");
        if (!role.All(char.IsAsciiLetter) || !Enum.TryParse<UserKind>(role, ignoreCase: true, out var kind))
        {
            await error.WriteLineAsync($"error: --role: Role must be Owner, Member or Support, not '{role}'.");
            return 1;
        }
        var request = new CreateUserRequest { Email = email, Password = password, Kind = kind, AccountName = options.Optional("account") };
        try
        {
            var user = await services.GetRequiredService<AccountService>().CreateUserAsync(request, Actor.CommandLine, ct);
            await output.WriteLineAsync(user.IsSupport
                ? $"Created support user {user.Email}."
                : $"Created {user.Email} as {kind} of '{request.AccountName!.Trim()}'.");
            return 0;
        }
        catch (ValidationException e)
        {
            foreach (var failure in e.Errors)
                await error.WriteLineAsync($"error: --{Option(failure.PropertyName)}: {failure.ErrorMessage}");
            return 1;
        }
    }

    private static async Task<string> PasswordAsync(Options options, TextReader input)
    {
        var fromStdin = options.Flag("password-stdin");
        var given = options.Optional("password");
        if (fromStdin && given is not null)
            throw new UsageException("give the password either with --password or on standard input with --password-stdin, not both.");
        if (!fromStdin)
            return given ?? throw new UsageException("option '--password-stdin' or '--password' is required.");
        var line = await input.ReadLineAsync();
        return string.IsNullOrEmpty(line) ? throw new UsageException("--password-stdin read no password from standard input.") : line;
    }

    private static string Option(string property) => property switch
    {
        nameof(CreateUserRequest.AccountName) => "account",
        nameof(CreateUserRequest.Kind) => "role",
        _ => property.ToLowerInvariant(),
    };
}
