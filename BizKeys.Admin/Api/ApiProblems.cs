using BizKeys.AspNetCore;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.WebUtilities;

namespace BizKeys.Admin.Api;

public static class ApiProblems
{
    public static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>
    /// API callers never get the people's pages or a redirect to sign-in: an unknown route is a 404 problem, an API
    /// route asked with another method a 405 (with Allow), and any bare error status under /api gets a problem body.
    /// Runs in the API's own branch of the pipeline, after routing and before authentication.
    /// </summary>
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder app)
    {
        var routes = new Lazy<IReadOnlyList<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)>>(() => ApiRoutes(app.ApplicationServices));
        return app.Use(async (context, next) =>
        {
            // The people's "not found" page never answers an API call (ours sets a problem body first anyway).
            if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            var endpoint = context.GetEndpoint();
            // Routing's own 405 and 415 answers may come from a page or asset route and carry no policy (the sign-in
            // fallback would redirect them): only the API's routes count here.
            if (endpoint is null || IsRoutingRejection(endpoint))
            {
                var allowed = routes.Value.Where(r => r.Matcher.TryMatch(context.Request.Path, new RouteValueDictionary()))
                    .SelectMany(r => r.Methods).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (allowed.Count == 0)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", "There is no API route at this address.");
                    return;
                }
                if (!allowed.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
                {
                    context.Response.Headers.Allow = string.Join(", ", allowed);
                    await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed",
                        $"This route does not answer {context.Request.Method}; see the Allow header.");
                    return;
                }
                await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                    "Send the request body as JSON, with the header Content-Type: application/json.");
                return;
            }
            await next();
            var status = context.Response.StatusCode;
            if (status >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null or 0 && context.Response.ContentType is null)
                await Problems.WriteAsync(context, status, ReasonPhrases.GetReasonPhrase(status), "The request could not be processed.");
        });
    }

    private static bool IsRoutingRejection(Endpoint endpoint) =>
        endpoint.DisplayName is { } name && (name.StartsWith("405 ", StringComparison.Ordinal) || name.StartsWith("415 ", StringComparison.Ordinal));

    private static List<(TemplateMatcher, IReadOnlyList<string>)> ApiRoutes(IServiceProvider services) =>
    [
        .. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .Select(e => (new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!), new RouteValueDictionary()),
                e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])),
    ];
}
