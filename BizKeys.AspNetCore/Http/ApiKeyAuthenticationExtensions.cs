using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BizKeys.AspNetCore;

public static class ApiKeyAuthenticationExtensions
{
    /// <summary>
    /// Adds BizKeys API-key authentication, <see cref="ApiKeyDefaults.AnyKeyPolicy"/> for any valid key and
    /// <see cref="ApiKeyDefaults.PolicyFor"/> for a key holding a permission (made on first use, for any permission
    /// name). Needs the verifier: <c>AddBizKeysVerification</c> in a service, BizKeys' own core in the app.
    /// </summary>
    public static AuthenticationBuilder AddBizKeysApiKeys(this AuthenticationBuilder builder)
    {
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiKeyAuthorizationResultHandler>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IAuthorizationPolicyProvider, ApiKeyPolicyProvider>());
        return builder.AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
    }
}

/// <summary>
/// <c>ApiKey</c> and <c>ApiKey:{permission}</c> policies, built when first asked for and kept; every other policy
/// name as the host configured it.
/// </summary>
internal sealed class ApiKeyPolicyProvider(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AuthorizationPolicy> _policies = new(StringComparer.Ordinal);

    public override Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        if (policyName == ApiKeyDefaults.AnyKeyPolicy || policyName.StartsWith(ApiKeyDefaults.AnyKeyPolicy + ":", StringComparison.Ordinal))
            return Task.FromResult<AuthorizationPolicy?>(_policies.GetOrAdd(policyName, Build));
        return base.GetPolicyAsync(policyName);
    }

    private static AuthorizationPolicy Build(string name)
    {
        var policy = new AuthorizationPolicyBuilder(ApiKeyDefaults.Scheme).RequireAuthenticatedUser();
        if (name.Length > ApiKeyDefaults.AnyKeyPolicy.Length)
            policy.RequireClaim(ApiKeyDefaults.PermissionClaim, name[(ApiKeyDefaults.AnyKeyPolicy.Length + 1)..]);
        return policy.Build();
    }
}
