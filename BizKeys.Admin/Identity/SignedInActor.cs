using System.Security.Claims;
using BizKeys.Core;

namespace BizKeys.Admin.Identity;

public static class SignedInActor
{
    /// <summary>The signed-in person as the Core services see them; null when nobody is signed in.</summary>
    public static Actor? From(ClaimsPrincipal principal, string? ip) =>
        principal.FindFirstValue(ClaimTypes.NameIdentifier) is { } id
            ? Actor.User(Guid.Parse(id), principal.Identity!.Name!, principal.HasClaim(SupportClaims.ClaimType, "true"), ip)
            : null;
}
