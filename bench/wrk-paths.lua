-- wrk -s bench/wrk-paths.lua URL -- PATHS_FILE
-- Each request asks for a path drawn at random from PATHS_FILE (one path a
-- line), with a fixed seed so every run sends the same sequence.

local paths = {}
local n = 0

init = function(args)
   for line in io.lines(args[1]) do
      n = n + 1
      paths[n] = line
   end
   if n == 0 then
      error("no paths in " .. tostring(args[1]))
   end
   math.randomseed(20240101)
end

request = function()
   return wrk.format("GET", paths[math.random(n)])
end
