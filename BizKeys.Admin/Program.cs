using BizKeys.Admin.Api;
using BizKeys.Admin.Cli;
using BizKeys.Admin.Components;
using BizKeys.Admin.Components.Pages.ApiKeys;
using BizKeys.Admin.Components.Pages.Audit;
using BizKeys.Admin.Components.Pages.Support;
using BizKeys.Admin.Hosting;
using BizKeys.Admin.Identity;
using BizKeys.Core;
using BizKeys.Core.Data;
using BizKeys.Core.Users;
using MudBlazor.Services;
using Microsoft.AspNetCore.Diagnostics;

if (CommandLine.AnswerWithoutDatabase(args, Console.Out, Console.Error) is { } answered)
    return answered;
FileCreationMask.OwnerOnly();
// SQLite's driver blocks its thread for a whole statement (a usage flush of 100,000 keys holds one for a second or
// more), and stopping an instance waits on work that blocks too: start with a pool large enough for that. A floor of
// 4 per core gave a lower p99 under load (3-5 ms against 13-18 ms, docs/performance.md) but left an instance's stop
// starved for 30 s in the load-balanced journey test, so the floor stays at 64 until those waits are gone.
ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
ThreadPool.SetMinThreads(Math.Max(minWorkers, 64), minIo);
var isCommand = CommandLine.IsCommand(args);
// Command arguments such as --environment are not host settings: keep them away from the host builder.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = isCommand ? [] : args, ContentRootPath = ProductPaths.ContentRoot });
builder.Configuration.AddProductSettings();
// Serve package assets (MudBlazor, the Blazor script) from the build output in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();
builder.AddBizKeysLogging(isCommand);
if (!isCommand)
    builder.AddBizKeysTelemetry();

builder.Services.AddBizKeysCore(builder.Configuration, ProductPaths.BaseDirectory);
builder.Services.AddBizKeysSignIn(builder.Environment.IsDevelopment());
builder.Services.AddBizKeysForwardedHeaders(builder.Configuration);
builder.Services.AddBizKeysSigningKeys(builder.Configuration);
builder.Services.AddBizKeysOpenApi();
// Malformed JSON, unknown fields and bad query values become BadHttpRequestException, which the API's exception
// handler answers with a 400 problem naming the field; a misspelled field is refused rather than ignored.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(o =>
    o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);
builder.Services.AddExceptionHandler<ApiExceptionHandler>();
builder.Services.AddBizKeysHealth();
builder.Services.AddScoped<ClientInfo>();
builder.Services.AddScoped<CurrentAccount>();
builder.Services.AddScoped<KeyActions>();
builder.Services.AddSingleton<LeakReportLimiter>();
builder.Services.AddHostedService<TrafficSummary>();
// Messages appear top-centre under the app bar, two at most: away from the page's actions (top right), from the
// grid's rows and from a dialog's buttons (bottom right).
builder.Services.AddMudServices(o =>
{
    o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.TopCenter;
    o.SnackbarConfiguration.MaxDisplayedSnackbars = 2;
    o.SnackbarConfiguration.PreventDuplicates = true;
});
// A leak report pasted into the dialog (up to 1 MB of text, up to 3 bytes a character) travels in one message.
builder.Services.AddRazorComponents().AddInteractiveServerComponents()
    .AddHubOptions(hub => hub.MaximumReceiveMessageSize = 4 * 1024 * 1024);

InstanceLock? instanceLock;
try
{
    instanceLock = isCommand ? null : InstanceLock.Acquire(builder.Configuration);
}
catch (InvalidOperationException e)
{
    // A clear word and a non-zero exit, not a crash: a supervisor sees a refusal, an operator reads why.
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 3;
}
using var heldLock = instanceLock;
var app = builder.Build();
if (instanceLock is not null)
    app.Lifetime.ApplicationStopped.Register(instanceLock.Dispose);
// Log lines wait in the asynchronous sink's queue: once every service has stopped (the last usage flush logged),
// write them all before the process or the test host goes on.
app.Lifetime.ApplicationStopped.Register(() => app.Services.GetRequiredService<Serilog.Core.Logger>().Dispose());
if (!isCommand)
{
    app.Logger.LogInformation("BizKeys settings from {Settings} and the environment; relative data and log paths start at {Base}",
        ProductPaths.SettingsFile, ProductPaths.BaseDirectory);
    var database = app.Services.GetRequiredService<DatabaseSettings>();
    var smtp = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BizKeys.Core.Configuration.BizKeysOptions>>().Value.Smtp;
    app.Logger.LogInformation("Data: {Data}; logs: {Logs}; mail: {Mail}",
        database.IsPostgres ? "PostgreSQL" : database.DataFolder(ProductPaths.BaseDirectory) ?? "in memory",
        Logging.Directory(app.Configuration),
        string.IsNullOrWhiteSpace(smtp.Host) ? $".eml files in {DependencyInjection.MailFolder(smtp, database, ProductPaths.BaseDirectory)}" : $"SMTP server {smtp.Host}");
}
try
{
    await DatabaseInitializer.InitializeAsync(app.Services);
    await SigningKeys.EnsureSharedKeyAsync(app.Services);
}
catch (Exception e) when (StartupFailure.Describe(e, app.Configuration) is { } message)
{
    // A clear word and a non-zero exit: a supervisor that restarts the app sees the same refusal, not a crash loop.
    await Console.Error.WriteLineAsync($"error: {message}");
    return 4;
}

if (isCommand)
    return await CommandLine.RunAsync(app.Services, args, Console.Out, Console.Error);

// Metrics and their address gate see the connection as it is: a proxied request (X-Forwarded-For) is never a scraper.
app.UseBizKeysMetrics();
app.UseHealthMethods();
app.UseBizKeysForwardedHeaders(app.Configuration);
var errors = new ExceptionHandlerOptions
{
    ExceptionHandlingPath = "/Error",
    CreateScopeForErrors = true,
    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
};
// API calls skip the page middleware (the page request line, status-code pages, antiforgery): their own request
// logging sits outside the exception handler, so it sees the status the caller got.
app.UseWhen(context => ApiProblems.IsApi(context.Request), api => api.UseBizKeysApiLogging());
if (app.Environment.IsDevelopment())
    app.UseWhen(context => ApiProblems.IsApi(context.Request), api => api.UseExceptionHandler(errors)); // pages keep the developer page
else
{
    app.UseExceptionHandler(errors);
    app.UseHsts(); // sent on HTTPS responses only (directly or through a known proxy)
}
app.UseWhen(context => !ApiProblems.IsApi(context.Request), pages => pages.UseBizKeysRequestLogging());
app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseWhen(context => ApiProblems.IsApi(context.Request), api => api.UseApiProblems());
app.UseAuthentication();
app.UseAuthorization();
app.UseWhen(context => !ApiProblems.IsApi(context.Request), pages => pages.UseAntiforgery());

app.MapStaticAssets().AllowAnonymous();
app.MapHealthChecks();
app.MapAccountEndpoints();
app.MapSupportExports();
app.MapAuditExports();
app.MapKeyApi();
app.MapLeakApi();
app.MapVerificationApi();
app.MapOpenApi().AllowAnonymous();
app.MapApiReference();
app.MapGet("/", async (UserDirectory users) => Results.Redirect(await users.AnyUserAsync() ? "/settings/api-keys" : "/setup"))
    .AllowAnonymous().ExcludeFromDescription();
// The framing rule lives in the one Content-Security-Policy header (SecurityHeaders), not in a second one of Blazor's.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

await app.RunAsync();
return 0;
