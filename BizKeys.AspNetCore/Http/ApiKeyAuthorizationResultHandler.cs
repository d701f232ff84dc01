using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace BizKeys.AspNetCore;

/// <summary>A valid key without the endpoint's permission gets a 403 that names the permission; everything else as usual.</summary>
public sealed class ApiKeyAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.Features.Get<ApiKeyFeature>() is { Result.IsValid: true } feature)
        {
            var permission = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ClaimsAuthorizationRequirement>()
                .SelectMany(r => r.AllowedValues ?? []).FirstOrDefault() ?? "unknown";
            feature.MissingPermission = permission;
            return Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"This key lacks the permission {permission}.", new Dictionary<string, object?> { ["permission"] = permission });
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
