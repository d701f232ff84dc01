using BizKeys.Core.Configuration;
using BizKeys.Core.Users;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BizKeys.Core.Accounts;

/// <summary>The unattended first owner (<c>BizKeys:Bootstrap</c>): created at start when nobody can sign in yet.</summary>
internal static class AccountBootstrap
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var bootstrap = services.GetRequiredService<IOptions<BizKeysOptions>>().Value.Bootstrap;
        if (string.IsNullOrWhiteSpace(bootstrap.OwnerEmail) && string.IsNullOrEmpty(bootstrap.OwnerPassword))
            return;
        var users = services.GetRequiredService<UserDirectory>();
        if (await users.AnyUserAsync(ct))
            return;
        if (string.IsNullOrWhiteSpace(bootstrap.OwnerEmail) || string.IsNullOrEmpty(bootstrap.OwnerPassword))
            throw new InvalidOperationException(
                "Set both BizKeys__Bootstrap__OwnerEmail and BizKeys__Bootstrap__OwnerPassword to create the first owner at start-up.");
        try
        {
            await services.GetRequiredService<AccountService>().CreateFirstOwnerAsync(
                new SetupRequest { Email = bootstrap.OwnerEmail, Password = bootstrap.OwnerPassword, AccountName = bootstrap.AccountName }, Actor.Startup, ct);
        }
        catch (SetupClosedException)
        {
            // Another instance starting on the same database created the first owner a moment ago.
        }
        catch (ValidationException e)
        {
            throw new InvalidOperationException("The bootstrap owner could not be created: " +
                string.Join(" ", e.Errors.Select(x => $"{BootstrapSetting(x.PropertyName)}: {x.ErrorMessage}")), e);
        }
    }

    private static string BootstrapSetting(string property) => property switch
    {
        nameof(SetupRequest.Email) => "BizKeys__Bootstrap__OwnerEmail",
        nameof(SetupRequest.Password) => "BizKeys__Bootstrap__OwnerPassword",
        _ => "BizKeys__Bootstrap__AccountName",
    };
}
