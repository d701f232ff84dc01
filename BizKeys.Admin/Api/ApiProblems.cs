using BizKeys.Core.Verification.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace BizKeys.Admin.Api;

public static class ApiProblems
{
    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>
    /// API callers never get the people's pages or a redirect to sign-in: an unknown route is a 404 problem, a known
    /// route with another method a 405 (with Allow), and any bare error status under /api gets a problem body.
    /// Runs after routing and before authentication.
    /// </summary>
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!IsApi(context.Request))
        {
            await next();
            return;
        }
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", "There is no API route at this address.");
            return;
        }
        if (endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is null && endpoint.DisplayName?.StartsWith("405", StringComparison.Ordinal) == true)
        {
            await endpoint.RequestDelegate!(context); // routing's own 405: sets the status and the Allow header
            await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed",
                $"This route does not answer {context.Request.Method}; see the Allow header.");
            return;
        }
        await next();
        var status = context.Response.StatusCode;
        if (status >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null or 0 && context.Response.ContentType is null)
            await Problems.WriteAsync(context, status, ReasonPhrases.GetReasonPhrase(status), "The request could not be processed.");
    });
}
