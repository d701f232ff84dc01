using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace BizKeys.AspNetCore;

/// <summary>RFC 9457 problem bodies. The 401 body is a constant: unknown key, wrong secret, revoked and expired all read the same.</summary>
public static class Problems
{
    public const string UnauthorizedDetail = "A valid API key and secret are required.";

    public static Task Unauthorized(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", UnauthorizedDetail);

    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = new Dictionary<string, object?>
        {
            ["type"] = TypeFor(status),
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
            body[name] = value;
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        412 => "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };
}
