using BizKeys.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Admin.Hosting;

public static class Health
{
    /// <summary><c>GET /healthz</c>: 200 while the database answers, 503 otherwise.</summary>
    public static void MapHealthChecks(this WebApplication app) =>
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], async (IDbContextFactory<BizKeysDbContext> dbFactory, CancellationToken ct) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            try
            {
                // A real read of the tables every request touches: a damaged file answers a connection but not this.
                await db.Accounts.AnyAsync(ct);
                await db.ApiKeys.AnyAsync(ct);
                return Results.Text("Healthy");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException)
            {
                return Results.Text("Unhealthy: the database does not answer", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().WithTags("Health").WithName("Health").WithSummary("200 while the database answers, 503 otherwise")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").Produces<string>(StatusCodes.Status503ServiceUnavailable, "text/plain");
}
