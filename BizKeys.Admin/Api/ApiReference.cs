using Scalar.AspNetCore;

namespace BizKeys.Admin.Api;

/// <summary>
/// The interactive API reference at /api/docs (Scalar) over the OpenAPI document: every route with its schemas, and a
/// "Test request" that calls this BizKeys from the browser with the key and secret typed in — never stored. Its
/// scripts are served by BizKeys itself (no CDN, no fonts, no telemetry, no proxy): the reference works on a closed
/// network and tells nobody what is called (Scalar's "Open API Client" button, which would hand the document's address
/// to Scalar's site, is hidden; its "Powered by Scalar" link remains).
/// </summary>
public static class ApiReference
{
    public const string Path = "/api/docs";

    public static void MapApiReference(this WebApplication app) =>
        app.MapScalarApiReference(Path, options => options
                .WithTitle("BizKeys API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools()
                .HideClientButton()
                .WithDotNetFlag(false)
                .WithDynamicBaseServerUrl(true)
                .WithNonce()
                .AddPreferredSecuritySchemes("basic"))
            .AllowAnonymous();
}
