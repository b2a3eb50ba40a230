using FluentValidation.Results;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace PermitTracker.Web.Infrastructure;

public static class ValidationExtensions
{
    /// <summary>Puts FluentValidation's errors into ModelState under "prefix.Property", so each shows beside its field.</summary>
    public static void AddErrors(this ModelStateDictionary modelState, ValidationResult result, string prefix = "Input")
    {
        foreach (var error in result.Errors)
            modelState.AddModelError(string.IsNullOrEmpty(error.PropertyName) ? "" : $"{prefix}.{error.PropertyName}", error.ErrorMessage);
    }
}
