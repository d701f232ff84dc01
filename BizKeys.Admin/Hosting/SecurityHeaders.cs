using BizKeys.Admin.Api;
using BizKeys.Core;
namespace BizKeys.Admin.Hosting;

public static class SecurityHeaders
{
    /// <summary>
    /// Only this site's own scripts, styles, images and connections; no plugins, no framing, no foreign form
    /// targets. MudBlazor sets inline styles on its components, hence <c>'unsafe-inline'</c> for styles only.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Headers that keep pages out of frames, stop MIME sniffing and keep key pages out of caches.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        if (!context.Request.Path.StartsWithSegments("/_content") && !context.Request.Path.StartsWithSegments("/_framework"))
            headers.CacheControl = "no-store";
        // The API reference (Scalar) starts itself with one inline script, allowed by the nonce it made for this response only.
        if (context.Request.Path.StartsWithSegments(ApiReference.Path))
            context.Response.OnStarting(() =>
            {
                if (context.Items[Scalar.AspNetCore.ScalarOptions.NonceHttpContextItemKey] is string nonce)
                    context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal);
                return Task.CompletedTask;
            });
        await next();
    });
}
