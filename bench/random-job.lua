-- wrk script: GET PATH_PREFIX .. a random job number from JOB_NUMBERS (one a line), e.g. /api/v1/jobs/312345678
local numbers = {}
local prefix = os.getenv("PATH_PREFIX") or "/api/v1/jobs/"

function init(args)
  for line in io.lines(os.getenv("JOB_NUMBERS")) do numbers[#numbers + 1] = line end
  math.randomseed(os.time() * 1000 + (tonumber(tostring({}):sub(8), 16) or 0) % 1000)
end

function request()
  return wrk.format("GET", prefix .. numbers[math.random(#numbers)])
end
