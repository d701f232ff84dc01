using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.Configuration;
using Microsoft.Extensions.Options;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// The account the person in this circuit works in. Until sign-in exists every visitor is the owner of the
/// bootstrap account named by <c>BizKeys:Bootstrap:AccountName</c>.
/// </summary>
public sealed class CurrentAccount(AccountService accounts, IOptions<BizKeysOptions> options)
{
    private Account? _account;

    public Actor Actor { get; } = new("owner");

    public async Task<Account> GetAsync(CancellationToken ct = default) =>
        _account ??= await accounts.EnsureAsync(options.Value.Bootstrap.AccountName, ct);
}
