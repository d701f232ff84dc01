using BizKeys.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddBizKeysVerification(builder.Configuration);
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/", () => "Messages service");
app.MapGet("/whoami", (HttpContext context) => new { key = context.User.FindFirst(ApiKeyDefaults.KeyClaim)?.Value })
    .RequireAuthorization(ApiKeyDefaults.AnyKeyPolicy);
app.MapPost("/messages", (HttpContext context) => Results.Ok(new { sent = true, by = context.User.FindFirst(ApiKeyDefaults.KeyClaim)?.Value }))
    .RequireAuthorization(ApiKeyDefaults.PolicyFor("messages:send"));

app.Run();
