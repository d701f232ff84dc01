namespace BizKeys.Admin.Hosting;

public static class SecurityHeaders
{
    /// <summary>Headers that keep pages out of frames, stop MIME sniffing and keep key pages out of caches.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        if (!context.Request.Path.StartsWithSegments("/_content") && !context.Request.Path.StartsWithSegments("/_framework"))
            headers.CacheControl = "no-store";
        await next();
    });
}
