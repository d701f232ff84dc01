using BizKeys.Core.Verification.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace BizKeys.Admin.Api;

public static class ApiProblems
{
    /// <summary>
    /// API callers never get the people's "not found" page: a bare error status under /api (a JSON body that does
    /// not parse, an unknown route) gets a problem body instead.
    /// </summary>
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await next();
            return;
        }
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        await next();
        var status = context.Response.StatusCode;
        if (status >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null or 0 && context.Response.ContentType is null)
            await Problems.WriteAsync(context, status, ReasonPhrases.GetReasonPhrase(status), "The request could not be processed.");
    });
}
