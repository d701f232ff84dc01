using BizKeys.Admin.Api;
using BizKeys.Admin.Cli;
using BizKeys.Admin.Components;
using BizKeys.Admin.Components.Pages.ApiKeys;
using BizKeys.Admin.Hosting;
using BizKeys.Admin.Identity;
using BizKeys.Core;
using BizKeys.Core.Data;
using BizKeys.Core.Users;
using MudBlazor.Services;
using Serilog;

var isCommand = CommandLine.IsCommand(args);
// Command arguments such as --environment are not host settings: keep them away from the host builder.
var builder = WebApplication.CreateBuilder(isCommand ? [] : args);
builder.Configuration.AddProductSettings();
// Serve package assets (MudBlazor, the Blazor script) from the build output in every environment, not only Development.
builder.WebHost.UseStaticWebAssets();
builder.AddBizKeysLogging(isCommand);

builder.Services.AddBizKeysCore(builder.Configuration, ProductPaths.BaseDirectory);
builder.Services.AddBizKeysSignIn();
builder.Services.AddOpenApi();
// Malformed JSON or query values answer 400 in every environment, never an exception page.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
builder.Services.AddScoped<ClientInfo>();
builder.Services.AddScoped<CurrentAccount>();
builder.Services.AddScoped<KeyActions>();
builder.Services.AddMudServices();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();
await DatabaseInitializer.InitializeAsync(app.Services);

if (isCommand)
    return await CommandLine.RunAsync(app.Services, args, Console.Out, Console.Error);

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseSerilogRequestLogging();
app.UseSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseApiProblems();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapHealthChecks();
app.MapAccountEndpoints();
app.MapKeyApi();
app.MapOpenApi().AllowAnonymous();
app.MapGet("/", async (UserDirectory users) => Results.Redirect(await users.AnyUserAsync() ? "/settings/api-keys" : "/setup"))
    .AllowAnonymous().ExcludeFromDescription();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;
