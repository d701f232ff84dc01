using System.Security.Claims;
using BizKeys.Core;
using Microsoft.AspNetCore.Identity;

namespace BizKeys.Admin.Identity;

public static class SignedInActor
{
    /// <summary>
    /// The signed-in person as the Core services see them; null when nobody is signed in with the sign-in cookie
    /// (an API key's principal is not a person, whatever its claims say).
    /// </summary>
    public static Actor? From(ClaimsPrincipal principal, string? ip) =>
        principal.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == IdentityConstants.ApplicationScheme) is { } identity
        && Guid.TryParse(identity.FindFirst(ClaimTypes.NameIdentifier)?.Value, out var id)
            ? Actor.User(id, identity.Name ?? "", principal.HasClaim(SupportClaims.ClaimType, "true"), ip)
            : null;
}
