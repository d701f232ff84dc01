namespace BizKeys.Admin.Api;

/// <summary>
/// Answers Core's refusals inside the endpoint, with <see cref="ApiExceptionHandler.TryWriteRefusalAsync"/>: a refused
/// request is an ordinary 4xx response (logged with its status, carrying every security header), not an exception
/// that the error handler would log as a failure and answer with its headers cleared.
/// </summary>
public sealed class ApiRefusals : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e)
        {
            if (!await ApiExceptionHandler.TryWriteRefusalAsync(context.HttpContext, e))
                throw; // not a refusal: the exception handler answers it
            return Results.Empty;
        }
    }
}
