using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.AspNetCore;
using FluentValidation;

namespace BizKeys.Admin.Api;

/// <summary>Turns the Core's refusals into problem responses: 400 with field errors, 403, 404, 409.</summary>
public sealed class ApiErrors : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (ValidationException e)
        {
            var errors = e.Errors.GroupBy(f => Camel(f.PropertyName)).ToDictionary(g => g.Key, g => (object?)g.Select(f => f.ErrorMessage).ToArray());
            await Problems.WriteAsync(http, StatusCodes.Status400BadRequest, "Bad Request", "The request has invalid fields.",
                new Dictionary<string, object?> { ["errors"] = errors });
        }
        catch (Exception e) when (e is ApiKeyNotFoundException or AccountNotFoundException)
        {
            await Problems.WriteAsync(http, StatusCodes.Status404NotFound, "Not Found", e.Message);
        }
        catch (AccessDeniedException e)
        {
            await Problems.WriteAsync(http, StatusCodes.Status403Forbidden, "Forbidden", e.Message);
        }
        catch (ConcurrencyConflictException e) when (http.Request.Headers.IfMatch.Count > 0)
        {
            await Problems.WriteAsync(http, StatusCodes.Status412PreconditionFailed, "Precondition Failed",
                $"Key {e.Key} is no longer at the version in If-Match. Read it again and decide once more.");
        }
        catch (Exception e) when (e is ConcurrencyConflictException or ApiKeyStateException or IdempotencyMismatchException)
        {
            await Problems.WriteAsync(http, StatusCodes.Status409Conflict, "Conflict", e.Message);
        }
        return Results.Empty;
    }

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
