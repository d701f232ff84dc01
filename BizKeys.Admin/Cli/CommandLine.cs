namespace BizKeys.Admin.Cli;

/// <summary>Operator commands that run instead of the web server: <c>dotnet run --project BizKeys.Admin -- keys create ...</c>.</summary>
public static class CommandLine
{
    private static readonly string[] Commands = ["keys", "users"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0], StringComparer.OrdinalIgnoreCase);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        try
        {
            return args[0].ToLowerInvariant() switch
            {
                "keys" => await KeysCommand.RunAsync(services, args[1..], output, error, ct),
                "users" => await UsersCommand.RunAsync(services, args[1..], output, error, ct),
                _ => Usage(error),
            };
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            await error.WriteLineAsync(args[0].Equals("users", StringComparison.OrdinalIgnoreCase) ? UsersCommand.Help : KeysCommand.Help);
            return 2;
        }
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine(KeysCommand.Help);
        error.WriteLine(UsersCommand.Help);
        return 2;
    }
}

/// <summary>The command line was not understood; nothing was changed.</summary>
public sealed class UsageException(string message) : Exception(message);
