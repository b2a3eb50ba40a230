// Namespaces nearly every file of this project uses, said once (the rest stay in the files that need them).
global using System.Globalization;
global using FluentValidation;
global using Microsoft.AspNetCore.Authorization;
global using Microsoft.AspNetCore.Mvc;
global using Microsoft.AspNetCore.Mvc.RazorPages;
global using Microsoft.EntityFrameworkCore;
global using PermitTracker.Data;
global using PermitTracker.Domain;
global using PermitTracker.Domain.Jobs;
global using PermitTracker.Web.Access;
global using PermitTracker.Web.Infrastructure;
