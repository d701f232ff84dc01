namespace BizKeys.Admin.Cli;

/// <summary>Operator commands that run instead of the web server: <c>dotnet run --project BizKeys.Admin -- keys create ...</c>.</summary>
public static class CommandLine
{
    private static readonly string[] Commands = ["keys", "users", "backup", "seed-demo"];
    private static readonly string[] HelpWords = ["help", "--help", "-h", "-?"];

    /// <summary>
    /// Anything but host options (<c>--urls</c>, <c>--environment</c> …) is a command: a mistyped word answers with
    /// the list of commands instead of quietly starting the server.
    /// </summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && (!args[0].StartsWith('-') || HelpWords.Contains(args[0]));

    /// <summary>Help and unknown commands are answered before any database is opened. Null: run the command.</summary>
    public static int? AnswerWithoutDatabase(string[] args, TextWriter output, TextWriter error)
    {
        if (!IsCommand(args))
            return null;
        if (HelpWords.Contains(args[0], StringComparer.OrdinalIgnoreCase))
        {
            output.WriteLine(Overview);
            return 0;
        }
        if (Commands.Contains(args[0], StringComparer.OrdinalIgnoreCase))
            return null;
        error.WriteLine($"error: unknown command '{args[0]}'.");
        error.WriteLine(Overview);
        return 2;
    }

    private static string Overview => $"""
        BizKeys. Without a command, serves the app (settings from appsettings.json and the environment).
        Commands:
        {KeysCommand.Help}
        {UsersCommand.Help}
        {BackupCommand.Help}
        {SeedDemoCommand.Help}
        """;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct = default) =>
        await RunAsync(services, args, output, error, Console.In, ct);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, TextReader input, CancellationToken ct = default)
    {
        try
        {
            return args[0].ToLowerInvariant() switch
            {
                "keys" => await KeysCommand.RunAsync(services, args[1..], output, error, ct),
                "users" => await UsersCommand.RunAsync(services, args[1..], output, error, input, ct),
                "backup" => await BackupCommand.RunAsync(services, args[1..], output, error, ct),
                "seed-demo" => await SeedDemoCommand.RunAsync(services, args[1..], output, error, ct),
                _ => Usage(error),
            };
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            await error.WriteLineAsync(args[0].ToLowerInvariant() switch
            {
                "users" => UsersCommand.Help,
                "backup" => BackupCommand.Help,
                "seed-demo" => SeedDemoCommand.Help,
                _ => KeysCommand.Help,
            });
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
