using System.Globalization;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Configuration;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Cli;

/// <summary>
/// <c>keys create</c>: creates a key without the browser and prints the key on the first line and the secret
/// on the second, once, like a cloud provider's create-access-key.
/// </summary>
public static class KeysCommand
{
    public const string Help = """
        usage: keys create --account NAME --name NAME [--permissions a,b] [--environment ENV] [--expires-days DAYS]
          Prints the API key on the first line and the API secret on the second. The secret is shown only this once.
        """;

    private static readonly string[] CreateOptions = ["account", "name", "permissions", "environment", "expires-days"];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Length == 0 || !args[0].Equals("create", StringComparison.OrdinalIgnoreCase))
            throw new UsageException(args.Length == 0 ? "say what to do with keys." : $"unknown keys command '{args[0]}'.");

        var options = Options.Parse(args[1..], CreateOptions);
        var accountName = options.Required("account");
        var request = new CreateKeyRequest
        {
            Name = options.Required("name"),
            Environment = options.Optional("environment") ?? services.GetRequiredService<IOptions<BizKeysOptions>>().Value.DefaultEnvironment,
            Permissions = [.. (options.Optional("permissions") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            ExpiresAt = ParseExpiry(options.Optional("expires-days"), services.GetRequiredService<TimeProvider>()),
        };

        var account = await services.GetRequiredService<AccountService>().FindByNameAsync(accountName, ct);
        if (account is null)
        {
            await error.WriteLineAsync($"error: there is no account named '{accountName}'.");
            return 1;
        }
        request.AccountId = account.Id;

        try
        {
            var issued = await services.GetRequiredService<ApiKeyService>().CreateAsync(request, Actor.CommandLine, ct);
            await output.WriteLineAsync(issued.Key.Key);
            await output.WriteLineAsync(issued.Secret);
            return 0;
        }
        catch (ValidationException e)
        {
            foreach (var failure in e.Errors)
                await error.WriteLineAsync($"error: {ToOption(failure.PropertyName)}: {failure.ErrorMessage}");
            return 1;
        }
    }

    private static DateTime? ParseExpiry(string? days, TimeProvider time)
    {
        if (days is null)
            return null;
        if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 3650)
            throw new UsageException($"--expires-days must be a whole number of days from 1 to 3650, not '{days}'.");
        return time.GetUtcNow().UtcDateTime.AddDays(count);
    }

    private static string ToOption(string property) => property switch
    {
        nameof(CreateKeyRequest.Name) => "--name",
        nameof(CreateKeyRequest.Environment) => "--environment",
        nameof(CreateKeyRequest.ExpiresAt) => "--expires-days",
        _ when property.StartsWith(nameof(CreateKeyRequest.Permissions), StringComparison.Ordinal) => "--permissions",
        _ => property,
    };
}
