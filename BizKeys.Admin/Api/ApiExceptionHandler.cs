using System.Diagnostics;
using System.Text.Json;
using BizKeys.Core.Access;
using BizKeys.Core.ApiKeys;
using BizKeys.AspNetCore;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace BizKeys.Admin.Api;

/// <summary>
/// The one exception-to-problem mapping under /api, never the people's error page. Core's refusals (see
/// <see cref="TryWriteRefusalAsync"/>, applied inside the endpoints). The request itself: a body that is not valid JSON for the route 400 naming where, an unknown
/// charset 415. The machine: a busy or full database 503 with Retry-After; anything else 500 with the trace id that
/// the log line carries too. Other paths fall through to the error page. (The 401 for missing or wrong credentials
/// is written by the authentication handler, byte for byte the same for every cause: see decision 007.)
/// </summary>
public sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        // The original path: the middleware may already point the request at the error page.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path;
        if (!path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) || context.Response.HasStarted)
            return false;
        var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        var trace = new Dictionary<string, object?> { ["traceId"] = traceId };
        switch (exception)
        {
            case var _ when await TryWriteRefusalAsync(context, exception):
                return true;
            case BadHttpRequestException { InnerException: JsonException json }:
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request",
                    json.Path is null or "$"
                        ? "The request body is not valid JSON for this route."
                        : $"The request body has an unknown field or a value of the wrong type at {json.Path}.",
                    new Dictionary<string, object?> { ["traceId"] = traceId, ["path"] = json.Path });
                return true;
            case BadHttpRequestException bad:
                await Problems.WriteAsync(context, bad.StatusCode, Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(bad.StatusCode),
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than this route accepts." : "The request could not be read: check its body and query values.", trace);
                return true;
            case var _ when HasUnknownCharset(context.Request):
                await Problems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                    "The body's charset is not one BizKeys reads: send JSON as UTF-8.", trace);
                return true;
            case var _ when DatabaseUnavailable(exception):
                LogUnavailable(exception, traceId);
                context.Response.Headers.RetryAfter = "5";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
                    "The database is busy or out of reach for a moment. Retry after the number of seconds in the Retry-After header.", trace);
                return true;
            default:
                LogFailed(exception, traceId);
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error",
                    "BizKeys could not finish this request. Nothing was changed by the failed step; give support the trace id if it keeps happening.", trace);
                return true;
        }
    }

    /// <summary>
    /// Core's refusals as problems: invalid fields 400 (each field named), not this account's or no such key 404,
    /// not allowed 403, a stale If-Match 412, a state conflict 409. Used inside the endpoints (<see cref="ApiRefusals"/>),
    /// so such an answer is an ordinary response — logged with its status, with every security header — and here for
    /// anything that reaches the handler another way.
    /// </summary>
    public static async Task<bool> TryWriteRefusalAsync(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case ValidationException e:
                var errors = e.Errors.GroupBy(f => Camel(f.PropertyName)).ToDictionary(g => g.Key, g => (object?)g.Select(f => f.ErrorMessage).ToArray());
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad Request", "The request has invalid fields.",
                    new Dictionary<string, object?> { ["errors"] = errors });
                return true;
            case ApiKeyNotFoundException or AccountNotFoundException:
                await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", exception.Message);
                return true;
            case AccessDeniedException:
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", exception.Message);
                return true;
            case ConcurrencyConflictException e when context.Request.Headers.IfMatch.Count > 0:
                await Problems.WriteAsync(context, StatusCodes.Status412PreconditionFailed, "Precondition Failed",
                    $"Key {e.Key} is no longer at the version in If-Match. Read it again and decide once more.");
                return true;
            case ConcurrencyConflictException or ApiKeyStateException or IdempotencyMismatchException:
                await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Conflict", exception.Message);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The database cannot answer now but may soon: SQLite busy, locked or full; PostgreSQL restarting, out of reach or
    /// out of connections (EF Core wraps those in an <see cref="InvalidOperationException"/>).
    /// </summary>
    private static bool DatabaseUnavailable(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 or 13 } => true,
        Npgsql.NpgsqlException { IsTransient: true } => true,
        InvalidOperationException { InnerException: { } inner } => DatabaseUnavailable(inner),
        _ => false,
    };

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static bool HasUnknownCharset(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.Charset.HasValue)
            return false;
        try
        {
            System.Text.Encoding.GetEncoding(type.Charset.Value!.Trim('"'));
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [LoggerMessage(LogLevel.Error, "API request failed (trace {TraceId})")]
    private partial void LogFailed(Exception exception, string traceId);

    [LoggerMessage(LogLevel.Warning, "API request refused: the database is busy or full (trace {TraceId})")]
    private partial void LogUnavailable(Exception exception, string traceId);
}
