using System.Security.Claims;
using BizKeys.Admin.Identity;
using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.Users;
using BizKeys.Core;
using Microsoft.AspNetCore.Components.Authorization;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// The signed-in person in this circuit, the accounts they belong to, and the one they work in now (the last one
/// they chose). Pages use it to hide what the person may not do; the Core services enforce it regardless.
/// </summary>
public sealed class CurrentAccount : IDisposable
{
    private readonly AuthenticationStateProvider authentication;
    private readonly AccountService accounts;
    private readonly UserDirectory users;
    private readonly ClientInfo client;
    private Session? _session;

    public CurrentAccount(AuthenticationStateProvider authentication, AccountService accounts, UserDirectory users, ClientInfo client)
    {
        this.authentication = authentication;
        this.accounts = accounts;
        this.users = users;
        this.client = client;
        authentication.AuthenticationStateChanged += Forget;
    }

    /// <summary>Someone else signed in on this circuit: the next read finds out who.</summary>
    private void Forget(Task<AuthenticationState> _) => _session = null;

    public void Dispose() => authentication.AuthenticationStateChanged -= Forget;

    public sealed record Session(Actor Actor, Guid UserId, string Email, bool IsSupport, IReadOnlyList<AccountChoice> Accounts, AccountChoice? Current)
    {
        public bool IsOwner => Current?.Role == AccountRole.Owner;
    }

    public async Task<Session> GetSessionAsync(CancellationToken ct = default) =>
        await TryGetSessionAsync(ct) ?? throw new InvalidOperationException("Nobody is signed in.");

    /// <summary>Null when nobody is signed in (pages anyone may see, such as "not found").</summary>
    public async Task<Session?> TryGetSessionAsync(CancellationToken ct = default)
    {
        if (_session is not null)
            return _session;
        var principal = (await authentication.GetAuthenticationStateAsync()).User;
        if (SignedInActor.From(principal, client.Ip) is not { UserId: { } userId } actor)
            return null;
        var (choices, current) = await accounts.ChoicesAsync(userId, ct);
        _session = new Session(actor, userId, actor.Name, actor.IsSupport, choices, current);
        return _session;
    }

    public async Task<Actor> GetActorAsync(CancellationToken ct = default) => (await GetSessionAsync(ct)).Actor;

    /// <summary>The account the person works in.</summary>
    /// <exception cref="NoAccountException">They belong to no account (support staff, or removed from all).</exception>
    public async Task<AccountChoice> GetAsync(CancellationToken ct = default) =>
        (await GetSessionAsync(ct)).Current ?? throw new NoAccountException();

    public async Task SwitchAsync(Guid accountId, CancellationToken ct = default)
    {
        var session = await GetSessionAsync(ct);
        var choice = session.Accounts.FirstOrDefault(a => a.Id == accountId) ?? throw new AccountNotFoundException();
        await users.SetLastAccountAsync(session.UserId, choice.Id, ct);
        _session = session with { Current = choice };
    }
}

public sealed class NoAccountException() : Exception("You are not a member of any account yet. Ask an account owner to add you.");
