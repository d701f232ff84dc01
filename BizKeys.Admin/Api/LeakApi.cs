using System.Net;
using System.Threading.RateLimiting;
using BizKeys.Core;
using BizKeys.AspNetCore;
using BizKeys.Core.Leaks;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BizKeys.Admin.Api;

/// <summary>Body of <c>POST /api/v1/leaks</c>: any text that may hold leaked secrets.</summary>
public sealed record LeakBody(string? Text);

/// <summary>The answer: counts only, never which keys or accounts.</summary>
public sealed record LeakResultDto(int Found, int Revoked);

/// <summary>
/// <c>POST /api/v1/leaks</c>: whoever holds a leaked secret may have its key revoked, without signing in (as GitHub's
/// credential revocation API). Limited per client address; the answer is counts only.
/// </summary>
public static class LeakApi
{
    public const int ReportsPerAddressPerMinute = 10;

    /// <summary>1 MB of text, escaped as JSON at worst six bytes a character, and the braces around it.</summary>
    public const long MaxBodyBytes = 6L * LeakReporter.MaxTextLength + 1024;

    public static void MapLeakApi(this WebApplication app)
    {
        app.MapPost("/api/v1/leaks", ReportAsync).AllowAnonymous().AddEndpointFilter<ApiRefusals>()
            .WithTags("Leaked secrets").WithName("ReportLeak")
            .WithSummary("Report text that holds leaked secrets: their keys are revoked at once (no credentials needed)")
            .Accepts<LeakBody>("application/json")
            .Produces<LeakResultDto>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(429);
    }

    private static async Task<Results<Ok<LeakResultDto>, ProblemHttpResult>> ReportAsync(
        HttpContext http, LeakReporter reporter, LeakReportLimiter limiter, CancellationToken ct)
    {
        var address = http.Connection.RemoteIpAddress;
        if (limiter.TryAcquire(address) is { } retryAfter)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too Many Requests",
                detail: $"At most {ReportsPerAddressPerMinute} leak reports a minute from one address. Try again shortly.");
        }
        if (http.Request.ContentLength > MaxBodyBytes)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload Too Large",
                detail: $"Send at most {LeakReporter.MaxTextLength / 1024:N0} KB of text a report.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = MaxBodyBytes; // a body without a length stops at the same size
        if (!http.Request.HasJsonContentType())
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: "Send the report as JSON (Content-Type: application/json).");
        LeakBody? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<LeakBody>(ct);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }
        if (body is null)
            throw new ValidationException([new ValidationFailure("text", "Send {\"text\": \"...\"} with the text that holds the secret.")]);
        var actor = new Actor($"leak report from {address?.ToString() ?? "an unknown address"}") { Ip = address?.ToString() };
        var report = await reporter.ReportAsync(body.Text, actor, reporterAccount: null, ct);
        return TypedResults.Ok(new LeakResultDto(report.Found, report.Revoked));
    }
}

/// <summary>At most <see cref="LeakApi.ReportsPerAddressPerMinute"/> anonymous leak reports a minute per client address.</summary>
public sealed class LeakReportLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = LeakApi.ReportsPerAddressPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <returns>Null when the report may go ahead; otherwise how long to wait.</returns>
    public TimeSpan? TryAcquire(IPAddress? address)
    {
        // Per client as the failed-attempt limit counts them: one IPv6 /64 is one client, a mapped IPv4 is itself.
        using var lease = _limiter.AttemptAcquire(address is null ? "" : BizKeys.Core.Verification.FailedAttemptLimiter.Client(address).ToString());
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
